using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.PassThrough;

/// <summary>Uses the newest metric value, truncated to a whole number, as the count, optionally limited per action by
/// <c>max_scale_up</c> / <c>max_scale_down</c>. For queries that already compute the desired count.</summary>
[Plugin("pass-through")]
public sealed class PassThroughStrategy(ILogger<PassThroughStrategy> logger) : IStrategyPlugin<PassThroughOptions>
{
    internal const string MaxScaleUpKey = "max_scale_up";
    internal const string MaxScaleDownKey = "max_scale_down";

    /// <inheritdoc />
    public ValueTask ConfigureAsync(PassThroughOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => ValueTask.FromResult(Run(request));

    internal ScalingAction Run(StrategyRequest request)
    {
        var config = request.Check.Strategy.Config;
        var (maxScaleUp, maxScaleUpText) = ParseScaleLimit(config, MaxScaleUpKey, "+Inf");
        var (maxScaleDown, maxScaleDownText) = ParseScaleLimit(config, MaxScaleDownKey, "-Inf");

        if (request.Metrics.Count == 0) return ScalingAction.NoChange();

        var metric = request.Metrics[^1];
        var count = request.CurrentCount;

        // The direction comes from the unrounded value, so 3.7 against 3 is "up" to 3: the agent then sees no change.
        ScalingDirection direction;
        if (metric.Value > count) direction = ScalingDirection.Up;
        else if (metric.Value < count) direction = ScalingDirection.Down;
        else direction = ScalingDirection.None;
        if (direction == ScalingDirection.None) return ScalingAction.NoChange();

        var metricCount = GoValues.TruncateToInt64(metric.Value);
        var newCount = metricCount;
        if (direction == ScalingDirection.Up && maxScaleUp is { } up && newCount > count + up) newCount = count + up;
        if (direction == ScalingDirection.Down && maxScaleDown is { } down && newCount < count - down) newCount = count - down;

        logger.Hclog(LogLevel.Trace, "calculated scaling strategy results",
            ("check_name", request.Check.Name), ("current_count", count), ("new_count", newCount),
            ("metric_value", metric.Value), ("metric_time", metric.Timestamp),
            ("direction", Word(direction)), ("max_scale_up", maxScaleUpText), ("max_scale_down", maxScaleDownText));

        return new ScalingAction(newCount, direction, string.Create(CultureInfo.InvariantCulture, $"scaling {Word(direction)} because metric is {metricCount}"));
    }

    // Upstream's text; its %T of a config value always prints "string".
    private static PluginConfigException InvalidValue(string quotedKey, string value) => new($"invalid value for {quotedKey}: {value} (string)");

    // Only called for up or down: "none" never reaches a reason or a trace.
    private static string Word(ScalingDirection direction) => direction == ScalingDirection.Up ? "up" : "down";

    // The limit, or null when unset; plus its text for the trace log, where upstream prints an unset limit as
    // unsetText (+Inf or -Inf).
    private static (long? Limit, string LogText) ParseScaleLimit(PluginSettings config, string key, string unsetText)
    {
        var text = config.GetValueOrDefault(key, string.Empty);
        if (text.Length == 0) return (null, unsetText);
        return GoValues.TryParseInt64(text, out var limit) ? (limit, text) : throw InvalidValue($"`{key}`", text);
    }
}
