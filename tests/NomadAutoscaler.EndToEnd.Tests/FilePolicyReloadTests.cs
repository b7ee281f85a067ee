using System.Diagnostics;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>File policies through the real agent: an edit takes effect without a restart, and SIGHUP re-reads the
/// config while keeping the CLI flags (here the policy directory, given only as a flag).</summary>
[Trait("Category", "EndToEnd")]
public sealed class FilePolicyReloadTests : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-reload-").FullName;
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(200) };
        options.Nodes.Add(new SimulatorNodeSpec { Name = "node-1", Cpu = 8000, MemoryMB = 16384 });
        options.Jobs.Add(new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = "api", ["Name"] = "api", ["Namespace"] = "default", ["Type"] = "service", ["Datacenters"] = new JsonArray("dc1"),
                ["TaskGroups"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "api", ["Count"] = 1,
                    ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "api", ["Driver"] = "docker", ["Resources"] = new JsonObject { ["CPU"] = 100, ["MemoryMB"] = 64 } }),
                }),
            },
        }.ToJsonString());
        _nomad = await _simulator.StartAsync(options);
    }

    private static string Policy(int value) => $$"""
        scaling "api_floor" {
          enabled = true
          type    = "horizontal"
          min     = 1
          max     = 8
          policy {
            cooldown            = "1s"
            evaluation_interval = "1s"
            check "floor" {
              strategy "fixed-value" { value = {{value}} }
            }
            target "nomad-target" {
              Job   = "api"
              Group = "api"
            }
          }
        }
        """;

    [Fact]
    public async Task Policy_edits_apply_live_and_sighup_reload_keeps_the_cli_flags()
    {
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        var policyFile = Path.Combine(policies, "api.hcl");
        await File.WriteAllTextAsync(policyFile, Policy(3));
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            policy {
              source "nomad" { enabled = false }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config, "-policy-dir", policies);
        await WaitForCountAsync(agent, 3);

        await File.WriteAllTextAsync(policyFile, Policy(5));
        await WaitForCountAsync(agent, 5);

        using (var hup = Process.Start("kill", ["-HUP", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await hup.WaitForExitAsync();
        await agent.WaitForLogAsync(l => l.Contains("reloading Autoscaler configuration", StringComparison.Ordinal), "reload", TimeSpan.FromSeconds(30));

        // The policy directory came only from -policy-dir: if the reload dropped the flag, this edit would be ignored.
        await File.WriteAllTextAsync(policyFile, Policy(2));
        await WaitForCountAsync(agent, 2);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task Invalid_config_on_reload_keeps_the_old_one_running()
    {
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "p2")).FullName;
        var policyFile = Path.Combine(policies, "api.hcl");
        await File.WriteAllTextAsync(policyFile, Policy(4));
        var config = Path.Combine(_dir, "agent2.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            policy {
              dir = "{{policies}}"
              source "nomad" { enabled = false }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config);
        await WaitForCountAsync(agent, 4);

        await File.WriteAllTextAsync(config, "nomad { address = 42 ");
        using (var hup = Process.Start("kill", ["-HUP", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await hup.WaitForExitAsync();
        await agent.WaitForLogAsync(l => l.Contains("failed to reload Autoscaler configuration", StringComparison.Ordinal), "reload failure logged", TimeSpan.FromSeconds(30));

        await File.WriteAllTextAsync(policyFile, Policy(6));
        await WaitForCountAsync(agent, 6);
        Assert.False(agent.HasExited);
    }

    private async Task WaitForCountAsync(AgentProcess agent, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (_simulator.GetDesiredCount("api", "api") != count)
        {
            if (agent.HasExited) Assert.Fail($"agent exited before count {count}\n{agent.Log}");
            if (cts.IsCancellationRequested) Assert.Fail($"timed out waiting for count {count} (now {_simulator.GetDesiredCount("api", "api")})\n{agent.Log}");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
