using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Strategies;

/// <summary>Results and errors shared by the built-in strategies.</summary>
internal static class StrategyResults
{
    /// <summary>Upstream's "return nil, nil" (no metrics, too few points in bounds). The Go agent turns a nil
    /// evaluation into an empty action, <c>sdk.ScalingAction{}</c>: count 0, direction none, no reason, which is
    /// exactly what a strategy's own "none" result looks like to it. The SDK must return an action, so "nothing"
    /// travels as that same empty action. (Upstream's gRPC server would dereference the nil and crash the plugin;
    /// its built-ins only survive it because they run inside the agent.)</summary>
    public static ScalingAction Nothing => ScalingAction.NoChange();

    /// <summary>A configuration error carrying upstream's exact text. The SDK sends a
    /// <see cref="PluginConfigException"/> without violations with its message unchanged, which is all the agent shows
    /// (upstream's plain Go errors carry the same text).</summary>
    public static PluginConfigException ConfigError(string message) => new(message);

    /// <summary>Upstream's <c>%T</c> of a config value, which always is a string.</summary>
    public static string InvalidValue(string quotedKey, string value) => $"invalid value for {quotedKey}: {value} (string)";

    /// <summary>The word upstream prints for a direction in reasons: <c>scaling up because ...</c>.</summary>
    public static string Word(ScalingDirection direction) => direction switch
    {
        ScalingDirection.Up => "up",
        ScalingDirection.Down => "down",
        _ => "none",
    };

    /// <summary>The newest point; the SDK hands metrics over oldest first.</summary>
    public static MetricPoint Newest(IReadOnlyList<MetricPoint> metrics) => metrics[^1];
}
