using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Testing;
using NomadAutoscaler.Simulator;
using NomadAutoscaler.Simulator.Cloud;
using Xunit.Abstractions;

namespace NomadAutoscaler.Conformance.Tests;

/// <summary>Runs the kit against the sim-cloud target executable, launched as a real process, with a simulator to talk to.</summary>
public sealed class TargetPluginConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_SimCloud_PassesEveryCheck()
    {
        await using var simulator = new NomadSimulator();
        var address = await simulator.StartAsync(new SimulatorOptions
        {
            // The pool's nodes must be ready by the first Status, however long the plugin takes to start.
            NodeInitializeDelay = TimeSpan.Zero,
            Cloud = new SimulatedCloudOptions { BootDelay = TimeSpan.Zero },
        });
        simulator.Cloud!.Create(new SimulatedPool { Name = "nom", NodeClass = "nom-pool" }, 2);
        var options = new ConformanceOptions
        {
            HandshakeTimeout = TimeSpan.FromSeconds(60),
            TargetCheckConfig = new Dictionary<string, string> { ["node_class"] = "nom-pool", ["pool_name"] = "nom" },
        };

        var report = await PluginConformance.RunAsync(PluginExecutables.Path("sim-cloud"), PluginKind.Target,
            new Dictionary<string, string> { ["nomad_address"] = address.ToString() }, options, CancellationToken.None);

        output.WriteLine(report.ToString());
        report.ThrowIfFailed();
        Assert.True(report.Checks.Count >= 19, $"expected every rule to be checked, got {report.Checks.Count}");
        Assert.StartsWith("Status returned ready=", report["rpc.target"]?.Message, StringComparison.Ordinal);
        Assert.EndsWith("count=2", report["rpc.target"]?.Message, StringComparison.Ordinal);
    }
}
