using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Testing;
using Xunit.Abstractions;

namespace NomadAutoscaler.Conformance.Tests;

/// <summary>Runs the kit against the five shipped strategy executables, each launched as a real process.</summary>
public sealed class StrategyPluginConformanceTests(ITestOutputHelper output)
{
    // Check configs the strategies accept for the kit's Run call (count 1, one data point of value 1), with the
    // direction each must compute from them, so a strategy that ignored its configuration would be caught.
    // pass-through uses the metric as the count: 1 at count 1 is no change.
    public static TheoryData<string, string, string> Strategies => new()
    {
        { "target-value", "target=0.5", "Up" },
        { "threshold", "lower_bound=0;upper_bound=10;delta=-1;within_bounds_trigger=1", "Down" },
        { "fixed-value", "value=3", "Up" },
        { "pass-through", "max_scale_up=1", "None" },
        { "periodic", "period=1h;lead=2m;seasons=2", "None" },
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task RunAsync_StrategyPlugin_PassesEveryCheck(string id, string checkConfig, string direction)
    {
        var options = new ConformanceOptions
        {
            HandshakeTimeout = TimeSpan.FromSeconds(60),
            StrategyCheckConfig = Parse(checkConfig),
            // Upstream's built-in strategies ignore their agent-level block; ours keep that so existing configs load.
            AcceptsUnknownKeys = true,
        };

        var report = await PluginConformance.RunAsync(PluginExecutables.Path(id), PluginKind.Strategy, new Dictionary<string, string>(), options, CancellationToken.None);

        output.WriteLine(report.ToString());
        report.ThrowIfFailed();
        Assert.True(report.Checks.Count >= 19, $"expected every rule to be checked, got {report.Checks.Count}");
        Assert.Equal($"Run returned direction {direction}", report["rpc.strategy"]?.Message);
    }

    [Fact]
    public async Task RunAsync_ThresholdWithoutCheckConfig_FailsRunCheck()
    {
        var options = new ConformanceOptions { HandshakeTimeout = TimeSpan.FromSeconds(60), AcceptsUnknownKeys = true };

        var report = await PluginConformance.RunAsync(PluginExecutables.Path("threshold"), PluginKind.Strategy, new Dictionary<string, string>(), options, CancellationToken.None);

        output.WriteLine(report.ToString());
        var run = report["rpc.strategy"];
        Assert.NotNull(run);
        Assert.False(run.Passed);
        Assert.Contains("lower_bound", run.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StrategyWithoutAcceptsUnknownKeys_FailsUnknownKeyCheck()
    {
        var options = new ConformanceOptions { HandshakeTimeout = TimeSpan.FromSeconds(60), StrategyCheckConfig = Parse("value=3") };

        var report = await PluginConformance.RunAsync(PluginExecutables.Path("fixed-value"), PluginKind.Strategy, new Dictionary<string, string>(), options, CancellationToken.None);

        output.WriteLine(report.ToString());
        var unknownKey = report["set-config.unknown-key"];
        Assert.NotNull(unknownKey);
        Assert.False(unknownKey.Passed);
        Assert.Contains("accepted the unknown key", unknownKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoopTargetDeclaredToAcceptUnknownKeys_FailsUnknownKeyCheck()
    {
        var options = new ConformanceOptions { HandshakeTimeout = TimeSpan.FromSeconds(60), AcceptsUnknownKeys = true };
        var config = new Dictionary<string, string> { ["count"] = "2", ["nomad_address"] = "http://127.0.0.1:4646" };

        var report = await PluginConformance.RunAsync(PluginExecutables.Path("noop-target"), PluginKind.Target, config, options, CancellationToken.None);

        output.WriteLine(report.ToString());
        var unknownKey = report["set-config.unknown-key"];
        Assert.NotNull(unknownKey);
        Assert.False(unknownKey.Passed);
        Assert.Contains("rejected the unknown key", unknownKey.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Parse(string pairs)
        => pairs.Split(';').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
}
