using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Testing;
using Xunit.Abstractions;

namespace NomadAutoscaler.Conformance.Tests;

public sealed class NoopPluginConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string, PluginKind, string> Plugins => new()
    {
        { "noop-apm", PluginKind.Apm, "value=3;points=2" },
        { "noop-strategy", PluginKind.Strategy, "count=4" },
        { "noop-target", PluginKind.Target, "count=2;nomad_address=http://127.0.0.1:4646" },
    };

    [Theory]
    [MemberData(nameof(Plugins))]
    public async Task RunAsync_NoopPlugin_PassesEveryCheck(string id, PluginKind kind, string sampleConfig)
    {
        var config = sampleConfig.Split(';').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

        var report = await PluginConformance.RunAsync(PluginExecutables.Path(id), kind, config, CancellationToken.None);

        output.WriteLine(report.ToString());
        report.ThrowIfFailed();
        Assert.Contains(report.Checks, check => check.Name == "automtls.handshake" && check.Passed);
        Assert.Contains(report.Checks, check => check.Name == "transport.tcp" && check.Message.StartsWith("served on 127.0.0.1:", StringComparison.Ordinal));
        Assert.True(report.Checks.Count >= 19, $"expected every rule to be checked, got {report.Checks.Count}");
    }

    [Fact]
    public async Task RunAsync_WrongKind_FailsPluginInfo()
    {
        var report = await PluginConformance.RunAsync(
            PluginExecutables.Path("noop-apm"), PluginKind.Target, new Dictionary<string, string>(), CancellationToken.None);

        output.WriteLine(report.ToString());
        var pluginInfo = report["plugin-info"];
        Assert.NotNull(pluginInfo);
        Assert.False(pluginInfo.Passed);
        Assert.Contains("want Target", pluginInfo.Message, StringComparison.Ordinal);
        Assert.Throws<ConformanceException>(report.ThrowIfFailed);
    }
}
