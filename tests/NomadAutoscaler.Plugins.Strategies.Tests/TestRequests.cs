using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

/// <summary>Builds strategy requests the way the agent sends them: metrics oldest first, one second apart.</summary>
internal static class TestRequests
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static StrategyRequest Create(string strategy, long count, IReadOnlyDictionary<string, string> config, params double[] metrics)
        => new(
            new PolicyCheck("cpu", "prometheus", "avg(cpu)", TimeSpan.FromMinutes(1), new StrategyConfig(strategy, new PluginSettings(config))),
            metrics.Select((value, i) => new MetricPoint(Start.AddSeconds(i), value)).ToArray(),
            count);

    /// <summary>Parses <c>"key=value;key=value"</c>; values may be empty (<c>"target="</c>).</summary>
    public static Dictionary<string, string> Config(string pairs)
    {
        var config = new Dictionary<string, string>();
        foreach (var pair in pairs.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            config[pair[..separator]] = pair[(separator + 1)..];
        }

        return config;
    }

    public static double[] Repeat(double value, int times) => Enumerable.Repeat(value, times).ToArray();
}
