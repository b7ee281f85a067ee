using NomadAutoscaler.Simulator.Workload;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>CSV traces, job lines that only change what they name, and the shipped example workloads.</summary>
public sealed class WorkloadTraceTests
{
    [Fact]
    public void ParseCsv_TurnsRowsIntoJobSteps()
    {
        var workload = SimulatedWorkload.ParseCsv("""
            # a comment before the header
            at,job,count,cpu,memory,class
            10m,queue,9,1000,1024,nom-pool
            0s, queue ,5,1000,1024,nom-pool

            1h,web,3,500,256,
            """, "trace.csv");

        Assert.Equal(3, workload.Count);
        Assert.Null(workload.Repeat);
        var steps = workload.Steps;
        Assert.All(steps, s => Assert.Equal(WorkloadVerb.JobCount, s.Verb));
        Assert.Equal((TimeSpan.Zero, "queue", 4), (steps[0].At, steps[0].Subject, steps[0].Line));
        Assert.Equal(new Dictionary<string, string> { ["count"] = "5", ["cpu"] = "1000", ["mem"] = "1024", ["class"] = "nom-pool" }, steps[0].Args);
        Assert.Equal(TimeSpan.FromMinutes(10), steps[1].At);
        Assert.Equal(new Dictionary<string, string> { ["count"] = "3", ["cpu"] = "500", ["mem"] = "256" }, steps[2].Args);
    }

    [Theory]
    [InlineData("at,job,count,cpu\n", "t.csv:1:1: the header lacks memory (expected at,job,count,cpu,memory,class)")]
    [InlineData("at,job,count,cpu,memory,colour\n", "t.csv:1:25: unknown column \"colour\"; expected at, job, count, cpu, memory and optionally class, type")]
    [InlineData("at,job,count,cpu,memory\nsoon,q,1,1,1", "t.csv:2:1: invalid duration \"soon\" for \"at\"")]
    [InlineData("at,job,count,cpu,memory\n1m,q,two,1,1", "t.csv:2:6: \"count\" must be a whole number of at least 0, found \"two\"")]
    [InlineData("at,job,count,cpu,memory\n1m,q,1,0,1", "t.csv:2:8: \"cpu\" must be a whole number of at least 1, found \"0\"")]
    [InlineData("at,job,count,cpu,memory\n1m,q,1,1", "t.csv:2:8: expected 5 fields as in the header, found 4")]
    [InlineData("at,job,count,cpu,memory,type\n1m,q,1,1,1,system", "t.csv:2:12: unknown job type \"system\"; expected service or batch")]
    [InlineData("# only a comment\n", "t.csv:1:1: expected the header at,job,count,cpu,memory,class")]
    public void ParseCsv_ReportsFileLineAndColumn(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => SimulatedWorkload.ParseCsv(text, "t.csv"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Load_ReadsACsvFileAsATrace_AndACountRowResizesTheBatchJobOnItsClass()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trace-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "at,job,count,cpu,memory,class,type\n0s,queue,2,1000,1024,nom-pool,batch\n30s,queue,5,1000,1024,nom-pool,batch\n");
        try
        {
            await using var h = await SimulatorHarness.StartAsync(o => o.WorkloadFile = path);
            h.AddNode("nom-pool");
            h.AddNode("other");
            await h.AdvanceUntilAsync(() => h.Simulator.GetRunningCount("queue", "queue") == 2, TimeSpan.FromSeconds(1));
            var job = (await h.GetAsync("/v1/job/queue")).Json;
            Assert.Equal("batch", (string)job["Type"]!);

            // 5 × 1000 MHz on one 4000 MHz nom-pool node: four run, one waits; nothing goes to the other class.
            await h.AdvanceUntilAsync(() => h.Simulator.GetQueuedCount("queue", "queue") == 1, TimeSpan.FromSeconds(1));
            Assert.Equal(4, h.Simulator.GetRunningCount("queue", "queue"));
            Assert.Empty(h.Simulator.WorkloadErrors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task JobLine_NamingOnlyTheCount_KeepsTheJobsTypeClassAndResources()
    {
        var workload = SimulatedWorkload.Parse("""
            at 0s  job queue type batch class nom-pool count 1 cpu 3000 mem 512
            at 10s job queue count 2
            """);
        await using var h = await SimulatorHarness.StartAsync(o => o.Workload = workload);
        h.AddNode("nom-pool");
        h.AddNode("other");
        await h.AdvanceUntilAsync(() => h.Simulator.GetDesiredCount("queue", "queue") == 2, TimeSpan.FromSeconds(1));

        var job = (await h.GetAsync("/v1/job/queue")).Json;
        Assert.Equal("batch", (string)job["Type"]!);
        Assert.Equal("nom-pool", (string)job["Constraints"]![0]!["RTarget"]!);
        Assert.Equal(3000, (int)job["TaskGroups"]![0]!["Tasks"]![0]!["Resources"]!["CPU"]!);
        // The second 3000 MHz allocation does not fit beside the first on the only nom-pool node.
        await h.AdvanceUntilAsync(() => h.Simulator.GetQueuedCount("queue", "queue") == 1, TimeSpan.FromSeconds(1));
    }

    public static TheoryData<string> ShippedWorkloads() => new(ShippedWorkloadNames());

    private static List<string> ShippedWorkloadNames() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "examples", "workloads")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ShippedWorkloads))]
    public void ShippedWorkload_Loads(string name)
    {
        var workload = SimulatedWorkload.Load(Path.Combine(RepositoryRoot(), "examples", "workloads", name));

        Assert.True(workload.Count > 0, $"{name} has no steps");
        Assert.All(workload.Steps, s => Assert.Equal("nom-pool", s.Args.GetValueOrDefault("class", "nom-pool")));
    }

    [Fact]
    public void ShippedWorkloads_CoverTheMissionBurstsDayAndIdle_AndATrace()
    {
        Assert.Superset(new HashSet<string> { "mission.workload", "bursty-batch.workload", "diurnal.workload", "spike-idle.workload", "mission.csv" },
            ShippedWorkloadNames().ToHashSet());
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Plugins.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"no Plugins.sln above {AppContext.BaseDirectory}");
    }
}
