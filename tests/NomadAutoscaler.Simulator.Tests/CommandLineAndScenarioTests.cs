namespace NomadAutoscaler.Simulator.Tests;

public sealed class CommandLineAndScenarioTests
{
    private static readonly Dictionary<string, string> s_noEnvironment = [];

    [Fact]
    public void Parse_AcceptsGoStyleFlags()
    {
        var options = SimulatorCommandLine.Parse(
            ["-port=0", "-nodes", "3", "--node-class=web", "-node-cpu", "2000", "-node-memory=4096", "-acl-token=t", "-prometheus-metrics=false",
             "-alloc-start-delay=500ms", "-cloud-join-pool=pool=workers,class=wrk,cpu=1000", "-os-auth-url=http://127.0.0.1:5000/v3"],
            s_noEnvironment);
        Assert.Equal(0, options.Port);
        Assert.Equal(3, options.Nodes.Count);
        Assert.All(options.Nodes, n =>
        {
            Assert.Equal("web", n.NodeClass);
            Assert.Equal(2000, n.Cpu);
            Assert.Equal(4096, n.MemoryMB);
        });
        Assert.Equal("t", options.ManagementToken);
        Assert.False(options.PrometheusMetrics);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.AllocStartDelay);
        var pool = Assert.Single(options.CloudJoinPools);
        Assert.Equal(("workers", "wrk", 1000), (pool.PoolName, pool.NodeClass, pool.Cpu));
        Assert.Equal("http://127.0.0.1:5000/v3", options.OpenStackEnvironment["OS_AUTH_URL"]);
    }

    [Fact]
    public void Parse_Defaults_AndOpenStackEnvironmentFallback()
    {
        var options = SimulatorCommandLine.Parse([], new Dictionary<string, string> { ["OS_PASSWORD"] = "pw", ["OS_REGION_NAME"] = "RegionOne" });
        Assert.Equal(4646, options.Port);
        Assert.Empty(options.Nodes);
        Assert.True(options.PrometheusMetrics);
        Assert.Equal("pw", options.OpenStackEnvironment["OS_PASSWORD"]);
        Assert.Equal("RegionOne", options.OpenStackEnvironment["OS_REGION_NAME"]);
    }

    [Theory]
    [InlineData(new[] { "-bogus=1" }, "flag provided but not defined: -bogus")]
    [InlineData(new[] { "-port=http" }, "invalid value \"http\" for flag -port: must be a whole number between 0 and 65535")]
    [InlineData(new[] { "-nodes" }, "flag needs an argument: -nodes")]
    [InlineData(new[] { "-alloc-start-delay=soon" }, "invalid value \"soon\" for flag -alloc-start-delay: time: invalid duration \"soon\"")]
    [InlineData(new[] { "-prometheus-metrics=maybe" }, "invalid boolean value \"maybe\" for -prometheus-metrics: parse error")]
    [InlineData(new[] { "-scenario=prod" }, "invalid value \"prod\" for flag -scenario: must be \"dev\" or \"empty\"")]
    [InlineData(new[] { "-cloud-join-pool=class=x" }, "invalid value \"class=x\" for flag -cloud-join-pool: \"pool\" is required")]
    [InlineData(new[] { "stray" }, "unexpected argument: stray")]
    public void Parse_RejectsBadFlags_WithGoFlagMessages(string[] args, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => SimulatorCommandLine.Parse(args, s_noEnvironment));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Help_IsRecognised_AndDocumentsTheFlags()
    {
        Assert.True(SimulatorCommandLine.IsHelpRequest(["-help"]));
        Assert.True(SimulatorCommandLine.IsHelpRequest(["--help"]));
        Assert.False(SimulatorCommandLine.IsHelpRequest(["-port=1"]));
        foreach (var flag in new[] { "-scenario", "-port", "-nodes", "-node-class", "-workload", "-acl-token", "-cloud-join-pool", "-os-auth-url" })
        {
            Assert.Contains(flag, SimulatorCommandLine.HelpText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BindAddress_MustBeLoopback()
    {
        await using var simulator = new NomadSimulator();
        var options = new SimulatorOptions { BindAddress = "0.0.0.0" };
        await Assert.ThrowsAsync<ArgumentException>(() => simulator.StartAsync(options));
    }

    [Fact]
    public async Task DevScenario_ScalesUpThenDownUnderItsWorkload()
    {
        var options = SimulatorScenarios.Dev();
        Assert.Equal(3, options.Nodes.Count);
        await using var h = await SimulatorHarness.StartAsync(o =>
        {
            foreach (var node in options.Nodes)
            {
                o.Nodes.Add(node);
            }

            foreach (var job in options.Jobs)
            {
                o.Jobs.Add(job);
            }

            o.Workload = options.Workload;
        });
        Assert.Equal(2, h.Simulator.GetRunningCount("web", "web"));
        var policy = Assert.Single((await h.GetAsync("/v1/scaling/policies")).Json.AsArray())!;
        var full = (await h.GetAsync($"/v1/scaling/policy/{policy["ID"]!.GetValue<string>()}")).Json;
        Assert.Equal("nomad-apm", full["Policy"]!["check"]![0]!["avg_cpu"]![0]!["source"]!.GetValue<string>());
        Assert.Equal(10, full["Max"]!.GetValue<long>());

        // Idle: 400 MHz over 2 × 500 MHz = 40%; at the peak (3000 MHz) an autoscaler would want about 9.
        Assert.Equal(40.0, await AvgCpuAsync(h), 3);
        await h.AdvanceUntilAsync(() => h.Time.GetUtcNow() >= new DateTimeOffset(2026, 8, 21, 12, 0, 25, TimeSpan.Zero), TimeSpan.FromSeconds(1));
        Assert.Equal(300.0, await AvgCpuAsync(h), 3);
        await h.PutAsync("/v1/job/web/scale", """{"Count":9,"Target":{"Group":"web"}}""");
        Assert.Equal(9, h.Simulator.GetRunningCount("web", "web"));
        Assert.InRange(await AvgCpuAsync(h), 66.0, 67.0);
        await h.AdvanceUntilAsync(() => h.Time.GetUtcNow() >= new DateTimeOffset(2026, 8, 21, 12, 1, 20, TimeSpan.Zero), TimeSpan.FromSeconds(1));
        Assert.InRange(await AvgCpuAsync(h), 8.8, 8.9);
    }

    private static async Task<double> AvgCpuAsync(SimulatorHarness h)
    {
        var running = (await h.GetAsync("/v1/job/web/allocations")).Json.AsArray().Where(a => a!["ClientStatus"]!.GetValue<string>() == "running").ToList();
        double sum = 0;
        foreach (var alloc in running)
        {
            sum += (await h.GetAsync($"/v1/client/allocation/{alloc!["ID"]!.GetValue<string>()}/stats")).Json["ResourceUsage"]!["CpuStats"]!["Percent"]!.GetValue<double>();
        }

        return sum / running.Count;
    }
}
