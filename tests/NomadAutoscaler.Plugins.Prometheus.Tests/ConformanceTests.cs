using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Testing;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

public sealed class ConformanceTests
{
    [Fact]
    public async Task The_executable_passes_the_plugin_conformance_kit()
    {
        await using var server = await StubPrometheusServer.StartAsync(Bodies.OneSeriesMatrix);

        var report = await PluginConformance.RunAsync(
            PluginProcess.ExecutablePath,
            PluginKind.Apm,
            new Dictionary<string, string> { ["address"] = server.Address.ToString() },
            new ConformanceOptions { HandshakeTimeout = TimeSpan.FromSeconds(60) },
            CancellationToken.None);

        Assert.True(report.Passed, report.ToString());
        Assert.Contains("3 point(s)", report["rpc.apm"]!.Message, StringComparison.Ordinal);
    }
}
