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

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
