using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The real agent binary with the real threshold and fixed-value executables, fed by the noop-apm test plugin
/// (the query text is the metric value) and scaling noop-target instances that record every Scale call in a file.
/// target-value is covered by <see cref="HorizontalScalingTests"/>.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StrategyEndToEndTests : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-strategies-").FullName;
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        // Only for the default nomad-apm and nomad-target plugins the agent always starts; no policy uses Nomad.
        var options = new SimulatorOptions { Port = 0 };
        options.Nodes.Add(new SimulatorNodeSpec { Name = "node-1", Cpu = 4000, MemoryMB = 8192 });
        _nomad = await _simulator.StartAsync(options);
    }

    [Fact]
    public async Task Threshold_steps_up_one_delta_per_cooldown_until_max_and_fixed_value_jumps_once()
    {
        var pluginDir = AgentProcess.BuildPluginDir(_dir, "noop-apm", "noop-target");
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        var thresholdLog = Path.Combine(_dir, "threshold-scales.log");
        var fixedLog = Path.Combine(_dir, "fixed-scales.log");
        await File.WriteAllTextAsync(Path.Combine(policies, "threshold.hcl"), """
            scaling "cpu_threshold" {
              enabled = true
              type    = "cluster"
              min     = 1
              max     = 4
              policy {
                cooldown            = "1s"
                evaluation_interval = "1s"
                check "high-cpu" {
                  source = "noop-apm"
                  query  = "80"
                  strategy "threshold" {
                    lower_bound = 70
                    upper_bound = 100
                    delta       = 1
                  }
                }
                target "threshold-target" {}
              }
            }
            """);
        await File.WriteAllTextAsync(Path.Combine(policies, "fixed.hcl"), """
            scaling "floor" {
              enabled = true
              type    = "cluster"
              min     = 1
              max     = 8
              policy {
                cooldown            = "1s"
                evaluation_interval = "1s"
                check "floor" {
                  strategy "fixed-value" { value = 5 }
                }
                target "fixed-target" {}
              }
            }
            """);
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{pluginDir}}"
            policy {
              dir = "{{policies}}"
              source "nomad" { enabled = false }
            }
            apm "noop-apm" {
              driver = "noop-apm"
              config = { points = "5" }
            }
            target "threshold-target" {
              driver = "noop-target"
              config = { count = "2", scale_log = "{{thresholdLog}}" }
            }
            target "fixed-target" {
              driver = "noop-target"
              config = { count = "1", scale_log = "{{fixedLog}}" }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config);

        // threshold: five points of 80 in [70, 100) with the default within_bounds_trigger of 5, delta 1: 2 → 3 → 4.
        await agent.WaitUntilAsync(() => ReadLines(thresholdLog).Count >= 2, "threshold to reach max", TimeSpan.FromSeconds(120));
        await agent.WaitUntilAsync(() => ReadLines(fixedLog).Count >= 1, "fixed-value to scale", TimeSpan.FromSeconds(120));
        // Further evaluations at max ask for 5, which the agent caps back to 4: wait for a few of them.
        var atMax = agent.Lines.Count(l => IsNoAction(l));
        await agent.WaitUntilAsync(() => agent.Lines.Count(l => IsNoAction(l)) >= atMax + 4, "evaluations after reaching max", TimeSpan.FromSeconds(120));

        Assert.Equal(["2 3 up scaling up because metric is within bounds", "3 4 up scaling up because metric is within bounds"], ReadLines(thresholdLog));
        Assert.Equal(["1 5 up scaling up because fixed value is 5"], ReadLines(fixedLog));
        Assert.Contains(agent.Lines, l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal)
            && l.Contains("target=threshold-target from=3 to=4 reason=\"scaling up because metric is within bounds\"", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal)
            && l.Contains("target=fixed-target from=1 to=5 reason=\"scaling up because fixed value is 5\"", StringComparison.Ordinal));

        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    private static bool IsNoAction(string line) => line.Contains("skipping scaling, no action needed", StringComparison.Ordinal);

    private static List<string> ReadLines(string path)
        => File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0)] : [];

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
