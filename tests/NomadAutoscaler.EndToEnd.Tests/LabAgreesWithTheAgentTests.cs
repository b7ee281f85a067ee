using System.Diagnostics;
using System.Text.RegularExpressions;
using NomadAutoscaler.Lab;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>
/// The scaling lab measures the real thing: one short workload and one policy file, played once in virtual time by
/// <see cref="LabRun"/> and once in real time by the <c>nomad-autoscaler agent</c> binary, with its plugins as separate
/// processes, against <c>nomad-autoscaler sim</c> running the same workload. Both make the same scaling decisions.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class LabAgreesWithTheAgentTests : IDisposable
{
    // The load rises to four allocations' worth at 3 s, so target-value 70 wants six; the six then sit at 67 % and the
    // count holds; at 30 s the load falls to a tenth and one allocation is enough. The cooldown outlasts an
    // allocation's start, so every evaluation after a decision sees the allocations it asked for running.
    private const string Workload = """
        at 0s  node add count 3 class web cpu 4000 mem 8192
        at 0s  job web count 1 cpu 500 mem 256 class web
        at 3s  job web load_cpu 2000
        at 30s job web load_cpu 300
        """;

    private const string Policy = """
        scaling "web" {
          enabled = true
          type    = "horizontal"
          min     = 1
          max     = 10
          policy {
            cooldown            = "6s"
            evaluation_interval = "2s"
            check "cpu" {
              source = "nomad-apm"
              query  = "avg_cpu-allocated"
              strategy "target-value" {
                target = 70
              }
            }
            target "nomad-target" {
              Job   = "web"
              Group = "web"
            }
          }
        }
        """;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(45);

    private readonly string _dir = Directory.CreateTempSubdirectory("lab-vs-agent-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Virtual_time_and_the_real_agent_make_the_same_decisions()
    {
        var workload = Path.Combine(_dir, "web.workload");
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(workload, Workload);
        await File.WriteAllTextAsync(Path.Combine(policies, "web.hcl"), Policy);

        var lab = LabRun.Run(new LabOptions { PolicyDir = policies, WorkloadPath = workload, Duration = Window }, new Dictionary<string, string?>(), _dir);
        var virtualDecisions = Assert.Single(lab.Policies).Decisions.Select(d => (d.From, d.To)).ToList();

        await using var sim = AgentProcess.Start("sim", "-port=0", "-workload=" + workload);
        await sim.WaitForLogAsync(l => l.StartsWith("Nomad API simulator listening on ", StringComparison.Ordinal), "the simulator listening", TimeSpan.FromSeconds(30));
        var started = Stopwatch.StartNew();
        var address = sim.Lines.First(l => l.StartsWith("Nomad API simulator listening on ", StringComparison.Ordinal))["Nomad API simulator listening on ".Length..].TrimEnd('/');
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{address}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config, "-policy-dir", policies);
        // The real run is watched over the lab's whole window, so a decision the lab did not make would be seen.
        await agent.WaitUntilAsync(() => started.Elapsed >= Window, "the end of the workload window", Window + TimeSpan.FromSeconds(30));
        var realDecisions = agent.Lines.Select(l => ScalingTarget().Match(l)).Where(m => m.Success)
            .Select(m => (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

        Assert.Equal([(1L, 6L), (6L, 1L)], virtualDecisions);
        Assert.Equal(virtualDecisions, realDecisions);
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [GeneratedRegex(@"policy_eval\.worker: scaling target: .* from=(\d+) to=(\d+) ")]
    private static partial Regex ScalingTarget();
}
