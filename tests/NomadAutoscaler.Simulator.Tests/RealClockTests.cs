namespace NomadAutoscaler.Simulator.Tests;

/// <summary>The system clock path (as under <c>agent -dev</c>): the ticker alone moves the cluster forward.</summary>
public sealed class RealClockTests
{
    [Fact]
    public async Task WithTheSystemClock_AllocationsStartAndNodesBecomeReadyOnTheirOwn()
    {
        var options = new SimulatorOptions
        {
            AllocStartDelay = TimeSpan.FromMilliseconds(200),
            NodeInitializeDelay = TimeSpan.FromMilliseconds(200),
            TickInterval = TimeSpan.FromMilliseconds(50),
        };
        options.Nodes.Add(new SimulatorNodeSpec { NodeClass = "web", StartInitializing = true });
        options.Jobs.Add(JobJson.Service("web", count: 2, nodeClass: "web"));
        await using var simulator = new NomadSimulator();
        var address = await simulator.StartAsync(options);
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);
        await Eventually.TrueAsync(() => simulator.GetRunningCount("web", "cache") == 2, "both allocations to run");
        Assert.Equal("ready", simulator.GetNodes()[0].Status);

        using var http = new HttpClient { BaseAddress = address };
        Assert.Equal("\"127.0.0.1:4647\"", await http.GetStringAsync("/v1/status/leader"));
    }
}
