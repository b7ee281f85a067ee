using NomadAutoscaler.Simulator.Workload;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class WorkloadTests
{
    [Fact]
    public void Parse_ReadsEveryInstructionKind()
    {
        var workload = SimulatedWorkload.Parse("""
            # comment line
            at 0s node add count 3 class web dc dc1 pool default cpu 4000 mem 8192
            at 0s job web count 2 cpu 500 mem 256 class web min 1 max 10 target 70
            at 1m30s job web load_cpu 3000 over 15s   # trailing comment
            at 10s job web usage_mem 60%
            at 2m job web stop
            at 3m node sim-client-1 down
            at 4m node sim-client-1 purge
            repeat 5m
            """, "demo.workload");
        Assert.Equal(7, workload.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), workload.Repeat);
        var steps = workload.Steps;
        Assert.Equal([WorkloadVerb.NodeAdd, WorkloadVerb.JobCount, WorkloadVerb.JobUsage, WorkloadVerb.JobUsage, WorkloadVerb.JobStop, WorkloadVerb.NodeStatus, WorkloadVerb.NodePurge],
            steps.Select(s => s.Verb).ToArray());
        Assert.Equal(TimeSpan.FromSeconds(10), steps[2].At);
        Assert.Equal("60", steps[2].Args["usage_mem"]);
        Assert.Equal(TimeSpan.FromSeconds(90), steps[3].At);
        Assert.Equal(TimeSpan.FromSeconds(15), steps[3].Over);
        Assert.Equal("3000", steps[3].Args["load_cpu"]);
    }

    [Theory]
    [InlineData("run 0s job web count 1", "w.txt:1:1: expected \"at\" or \"repeat\", found \"run\"")]
    [InlineData("at soon job web count 1", "w.txt:1:4: invalid duration \"soon\" for the time after \"at\"")]
    [InlineData("at 0s job web count two", "w.txt:1:21: \"count\" must be a whole number, found \"two\"")]
    [InlineData("at 0s job web usage_cpu 90", "w.txt:1:25: \"usage_cpu\" takes a percentage such as 80%")]
    [InlineData("at 0s job web load_cpu 90%", "w.txt:1:24: \"load_cpu\" takes a plain number (MHz or MiB), not a percentage")]
    [InlineData("at 0s job web colour blue", "w.txt:1:15: unknown key \"colour\"; expected one of class, count, cpu, dc, group, max, mem, min, ns, pool, target, type, usage_cpu, usage_mem, load_cpu, load_mem, over, stop")]
    [InlineData("at 0s node n1 explode", "w.txt:1:15: unknown node action \"explode\": expected ready, down, disconnected or purge")]
    [InlineData("at 0s job web cpu 100", "w.txt:1:11: job line needs \"count\", a usage (usage_cpu, usage_mem, load_cpu, load_mem) or \"stop\"")]
    [InlineData("at 0s job web count 1 over 5s", "w.txt:1:11: \"over\" only applies to usage_cpu, usage_mem, load_cpu and load_mem")]
    [InlineData("\n\nat 0s job", "w.txt:3:10: expected a job ID")]
    public void Parse_ReportsFileLineAndColumn(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => SimulatedWorkload.Parse(text, "w.txt"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Driver_PlaysTheScheduleAgainstSimulatedTime()
    {
        var workload = SimulatedWorkload.Parse("""
            at 0s node add count 2 class web cpu 4000 mem 8192
            at 0s job web count 2 cpu 500 mem 256 class web min 1 max 10
            at 0s job web load_cpu 400
            at 10s job web load_cpu 2000 over 10s
            at 30s node sim-client-2 down
            at 40s job web stop
            """);
        await using var h = await SimulatorHarness.StartAsync(o => o.Workload = workload);
        Assert.True(h.Simulator.WorkloadErrors.Count == 0, string.Join("\n", h.Simulator.WorkloadErrors));
        await h.AdvanceUntilAsync(() => h.Simulator.GetRunningCount("web", "web") == 2, TimeSpan.FromSeconds(1));
        Assert.Equal(2, h.Simulator.GetNodes().Count);
        Assert.Single((await h.GetAsync("/v1/scaling/policies")).Json.AsArray());
        Assert.Equal(40.0, await CpuPercentAsync(h), 3);

        await h.AdvanceUntilAsync(() => h.Time.GetUtcNow() >= Start.AddSeconds(15), TimeSpan.FromSeconds(1));
        var midRamp = await CpuPercentAsync(h);
        Assert.InRange(midRamp, 100.0, 180.0);
        await h.AdvanceUntilAsync(() => h.Time.GetUtcNow() >= Start.AddSeconds(21), TimeSpan.FromSeconds(1));
        Assert.Equal(200.0, await CpuPercentAsync(h), 3);

        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes().Any(n => n.Status == "down"), TimeSpan.FromSeconds(1));
        await h.AdvanceUntilAsync(() => h.Simulator.GetRunningCount("web", "web") == 0, TimeSpan.FromSeconds(1));
        Assert.Empty(h.Simulator.WorkloadErrors);
    }

    [Fact]
    public async Task Driver_RecordsStepsThatCannotApply()
    {
        var workload = SimulatedWorkload.Parse("at 0s node ghost down", "bad.workload");
        await using var h = await SimulatorHarness.StartAsync(o => o.Workload = workload);
        Assert.Equal("bad.workload:1: node \"ghost\" not found", Assert.Single(h.Simulator.WorkloadErrors));
    }

    [Fact]
    public async Task Driver_Repeats()
    {
        var workload = SimulatedWorkload.Parse("""
            at 0s node add name solo
            at 5s node solo down
            at 8s node solo ready
            repeat 10s
            """);
        await using var h = await SimulatorHarness.StartAsync(o => o.Workload = workload);
        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes()[0].Status == "down", TimeSpan.FromSeconds(1));
        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes()[0].Status == "ready", TimeSpan.FromSeconds(1));
        // Second cycle: another node is added and the first goes down again.
        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes().Count == 2 && h.Simulator.GetNodes()[0].Status == "down", TimeSpan.FromSeconds(1));
    }

    private static readonly DateTimeOffset Start = new(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);

    private static async Task<double> CpuPercentAsync(SimulatorHarness h)
    {
        var alloc = (await h.GetAsync("/v1/job/web/allocations")).Json.AsArray().First(a => a!["ClientStatus"]!.GetValue<string>() == "running")!;
        var stats = (await h.GetAsync($"/v1/client/allocation/{alloc["ID"]!.GetValue<string>()}/stats")).Json;
        return stats["ResourceUsage"]!["CpuStats"]!["Percent"]!.GetValue<double>();
    }
}
