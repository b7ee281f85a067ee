using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>A counter that a target plugin process relays through its status meta reaches the real agent's
/// <c>/v1/metrics</c> across the process boundary: noop-target counts its Scale calls (tagged with the direction and
/// the reason, whose spaces the key escapes) and the agent shows them as <c>target.noop_target.scale_count</c>,
/// counted once however many statuses repeat the total.</summary>
[Trait("Category", "EndToEnd")]
public sealed class TargetCounterRelayEndToEndTests : IAsyncLifetime
{
    private const string Series = "nomad_autoscaler_target_noop_target_scale_count";

    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-counter-relay-").FullName;
    private readonly HttpClient _client = new();
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        // Only for the default nomad-apm and nomad-target plugins the agent always starts; the policy does not use Nomad.
        var options = new SimulatorOptions { Port = 0 };
        options.Nodes.Add(new SimulatorNodeSpec { Name = "node-1", Cpu = 4000, MemoryMB = 8192 });
        _nomad = await _simulator.StartAsync(options);
    }

    [Fact]
    public async Task A_counter_relayed_in_the_target_status_is_an_agent_counter_with_the_plugin_tags_policy_and_target()
    {
        var pluginDir = AgentProcess.BuildPluginDir(_dir, "noop-target");
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "floor.hcl"), """
            scaling "floor" {
              enabled = true
              type    = "cluster"
              min     = 1
              max     = 8
              policy {
                cooldown            = "1s"
                evaluation_interval = "1s"
                check "floor" {
                  strategy "fixed-value" { value = 3 }
                }
                target "relay-target" {}
              }
            }
            """);
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{pluginDir}}"
            telemetry { prometheus_metrics = true }
            policy {
              dir = "{{policies}}"
              source "nomad" { enabled = false }
            }
            target "relay-target" {
              driver = "noop-target"
              config = { count = "1", relay_scale_count = "true" }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config);
        await agent.WaitUntilAsync(async () => (await TryGetAsync(agent, "v1/policies")) is { } body
            && JsonNode.Parse(body)!["policies"]!.AsArray() is [{ } only] && only["id"] is not null, "the policy in v1/policies", TimeSpan.FromSeconds(90));
        var id = (string)JsonNode.Parse((await TryGetAsync(agent, "v1/policies"))!)!["policies"]![0]!["id"]!;
        var line = $"{Series}{{direction=\"up\",policy_id=\"{id}\",reason=\"scaling up because fixed value is 3\",target_name=\"relay-target\"}} ";

        // The scale happens in one evaluation; the next one reads the status that carries its count.
        await agent.WaitUntilAsync(async () => (await TryGetAsync(agent, "v1/metrics?format=prometheus"))?.Contains(line, StringComparison.Ordinal) == true,
            "the relayed counter in the Prometheus text", TimeSpan.FromSeconds(120));
        // Every later evaluation reads the same total of 1 again; none may add to it.
        var evaluations = agent.Lines.Count(IsNoAction);
        await agent.WaitUntilAsync(() => agent.Lines.Count(IsNoAction) >= evaluations + 3, "three more evaluations", TimeSpan.FromSeconds(60));

        var prometheus = (await TryGetAsync(agent, "v1/metrics?format=prometheus"))!;
        Assert.Equal([line + "1"], prometheus.Split('\n').Where(l => l.StartsWith(Series + "{", StringComparison.Ordinal)));
        Assert.Contains($"# TYPE {Series} counter\n", prometheus, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Lines, l => l.Contains("target counter", StringComparison.Ordinal));

        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    private static bool IsNoAction(string line) => line.Contains("skipping scaling, no action needed", StringComparison.Ordinal);

    private async Task<string?> TryGetAsync(AgentProcess agent, string path)
    {
        try
        {
            using var response = await _client.GetAsync(new Uri(agent.Http, path));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
