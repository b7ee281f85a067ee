namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>SIGTERM while a target's Scale call is in flight: the agent says so, stops its plugins and exits 0
/// within 5 s instead of waiting for the scale or leaving it unmentioned.</summary>
[Trait("Category", "EndToEnd")]
public sealed class SignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-signal-").FullName;

    /// <summary>A plugin dir with the bundled plugins and the noop-target test plugin (symlinked: an
    /// apphost finds its dll through the resolved path).</summary>
    private string PluginDir()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "plugins")).FullName;
        // The built-in defaults (nomad-apm, nomad-target, the strategies) must be launchable too.
        foreach (var plugin in Directory.GetFiles(Path.Combine(AgentProcess.AgentDirectory, "plugins")).Where(f => Path.GetExtension(f).Length == 0))
            File.CreateSymbolicLink(Path.Combine(dir, Path.GetFileName(plugin)), plugin);
        File.CreateSymbolicLink(Path.Combine(dir, "noop-target"), Path.Combine(AgentProcess.RepoRoot, "artifacts", "bin", "noop-target", "debug", "noop-target"));
        return dir;
    }

    [Fact]
    public async Task Sigterm_during_a_scale_logs_the_scale_in_flight_stops_plugins_and_exits_0_within_5_seconds()
    {
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "slow.hcl"), """
            scaling "slow" {
              enabled = true
              min     = 1
              max     = 5
              policy {
                evaluation_interval = "1s"
                check "floor" {
                  strategy "fixed-value" { value = 3 }
                }
                target "slow" {}
              }
            }
            """);
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "http://127.0.0.1:1" }
            plugin_dir = "{{PluginDir()}}"
            policy {
              dir = "{{policies}}"
              source "nomad" { enabled = false }
            }
            target "slow" {
              driver = "noop-target"
              config = {
                count      = "1"
                hang_scale = "true"
              }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config);
        await agent.WaitForLogAsync(l => l.Contains("hanging as configured", StringComparison.Ordinal), "a scale in flight", TimeSpan.FromSeconds(90));

        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(agent.Lines, l => l.Contains("agent stopping while target is scaling; the scale continues in the plugin", StringComparison.Ordinal)
            && l.Contains("target=slow", StringComparison.Ordinal) && l.Contains("to=3", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("shutting down plugin: plugin_name=slow", StringComparison.Ordinal));
    }

    /// <summary>A shell running <c>agent &amp;</c> from a script starts it with SIGINT ignored; nohup ignores SIGHUP. Go's
    /// agent still stops on SIGINT and SIGTERM; so must this one.</summary>
    [Theory]
    [InlineData("INT", "interrupt")]
    [InlineData("TERM", "terminated")]
    public async Task A_signal_ignored_when_the_agent_started_still_stops_it(string signal, string name)
    {
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "http://127.0.0.1:1" }
            plugin_dir = "{{PluginDir()}}"
            policy {
              source "nomad" { enabled = false }
              source "file" { enabled = false }
            }
            """);

        await using var agent = AgentProcess.StartThrough(["/bin/sh", "-c", $"trap '' {signal}; exec \"$0\" \"$@\""],
            new Dictionary<string, string>(), "agent", "-config", config, "-log-level", "debug");
        await agent.WaitForLogAsync(l => l.Contains("agent started!", StringComparison.Ordinal), "the agent to start", TimeSpan.FromSeconds(90));
        // The trap really reached the agent: it says it took SIGINT back. The runtime itself takes SIGTERM over
        // before the agent's code runs, whatever was inherited, so that one needs nothing and is not mentioned.
        if (signal == "INT")
        {
            Assert.Contains(agent.Lines, l => l.Contains("signals were ignored when the agent started; handling them", StringComparison.Ordinal)
                && l.Contains("SIGINT", StringComparison.Ordinal));
        }

        Assert.Equal(0, await agent.SignalAsync(signal, TimeSpan.FromSeconds(10)));
        Assert.Contains(agent.Lines, l => l.Contains($"caught signal: signal={name}", StringComparison.Ordinal));
    }

    /// <summary>systemd's KillMode=control-group, <c>timeout</c> and a process-group kill signal the plugins with the
    /// agent. Their exits are then expected: logged at debug, and nothing is restarted.</summary>
    [Fact]
    public async Task A_stop_signal_to_the_whole_process_group_logs_plugin_exits_at_debug_and_restarts_nothing()
    {
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "http://127.0.0.1:1" }
            plugin_dir = "{{PluginDir()}}"
            policy {
              source "nomad" { enabled = false }
              source "file" { enabled = false }
            }
            """);

        // setsid makes the agent a process group leader, with its plugins in its group.
        await using var agent = AgentProcess.StartThrough(["setsid"], new Dictionary<string, string>(), "agent", "-config", config, "-log-level", "debug");
        await agent.WaitForLogAsync(l => l.Contains("agent started!", StringComparison.Ordinal), "the agent to start", TimeSpan.FromSeconds(90));
        var plugins = agent.Lines.Count(l => l.Contains("plugin started", StringComparison.Ordinal));

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", "--", "-" + agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        // Whether a plugin's exit is seen before the agent shuts it down is a race (on a busy machine the plugins
        // exit later); either way no exit is a crash and nothing restarts. PluginSupervisorTests pins both orders.
        Assert.DoesNotContain(agent.Lines, l => l.Contains("exited unexpectedly", StringComparison.Ordinal) || l.Contains("restart", StringComparison.Ordinal));
        Assert.True(plugins > 0, "the agent launched plugins:\n" + agent.Log);
        Assert.All(agent.Lines.Where(l => l.Contains("plugin process exited", StringComparison.Ordinal)),
            l => Assert.Contains("[DEBUG] agent.plugin_manager: plugin process exited as the agent stops", l, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
