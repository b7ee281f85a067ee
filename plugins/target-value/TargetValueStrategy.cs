using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.TargetValue;

/// <summary>Scales the count by the ratio of the newest metric value to <c>target</c>, outside a dead band of
/// <c>threshold</c> around 1, optionally limited per action by <c>max_scale_up</c> / <c>max_scale_down</c>.</summary>
[Plugin("target-value")]
public sealed class TargetValueStrategy(ILogger<TargetValueStrategy> logger) : IStrategyPlugin<TargetValueOptions>
{
    internal const string TargetKey = "target";
    internal const string ThresholdKey = "threshold";
    internal const string MaxScaleUpKey = "max_scale_up";
    internal const string MaxScaleDownKey = "max_scale_down";
    private const double DefaultThreshold = 0.01;

    /// <inheritdoc />
    public ValueTask ConfigureAsync(TargetValueOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => ValueTask.FromResult(Run(request));

    internal ScalingAction Run(StrategyRequest request)
    {
        var config = request.Check.Strategy.Config;

        var targetText = config.GetValueOrDefault(TargetKey, string.Empty);
        if (targetText.Length == 0) throw new PluginConfigException("missing required field `target`");
        if (!GoValues.TryParseFloat(targetText, out var target))
            throw InvalidValue("`target`", targetText);

        var thresholdText = config.GetValueOrDefault(ThresholdKey, string.Empty);
        var threshold = DefaultThreshold;
        if (thresholdText.Length != 0 && !GoValues.TryParseFloat(thresholdText, out threshold))
            throw InvalidValue("`threshold`", thresholdText);

        var (maxScaleUp, maxScaleUpText) = ParseScaleLimit(config, MaxScaleUpKey, "+Inf");
        var (maxScaleDown, maxScaleDownText) = ParseScaleLimit(config, MaxScaleDownKey, "-Inf");

        // Configuration errors win over missing metrics, as upstream checks the metrics only after parsing.
        if (request.Metrics.Count == 0) return ScalingAction.NoChange();

        var metric = request.Metrics[^1];
        var count = request.CurrentCount;

        // A target of 0 (an empty queue, say) makes the metric itself the factor.
        var factor = target == 0 ? metric.Value : metric.Value / target;

        var direction = Direction(count, factor, threshold);
        if (direction == ScalingDirection.None) return ScalingAction.NoChange();

        // Scaling from zero uses the factor alone; the multiplication order is upstream's, so IEEE artefacts such as
        // 7 × (29 / 7) = 29.000000000000004 → 30 come out the same.
        var newCount = count == 0
            ? GoValues.TruncateToInt64(Math.Ceiling(factor))
            : GoValues.TruncateToInt64(Math.Ceiling(count * factor));

        if (maxScaleDown is { } down && newCount < count - down) newCount = count - down;
        if (maxScaleUp is { } up && newCount > count + up) newCount = count + up;

        logger.Hclog(LogLevel.Trace, "calculated scaling strategy results",
            ("check_name", request.Check.Name), ("current_count", count), ("new_count", newCount),
            ("metric_value", metric.Value), ("metric_time", metric.Timestamp), ("factor", factor),
            ("direction", Word(direction)), ("max_scale_up", maxScaleUpText), ("max_scale_down", maxScaleDownText));

        if (newCount == count) return ScalingAction.NoChange();

        return new ScalingAction(newCount, direction, $"scaling {Word(direction)} because factor is {GoValues.FormatFloat(factor)}");
    }

    // Comparisons are strict, so a factor exactly on the band's edge (or NaN) changes nothing. From zero only a positive
    // factor can scale, and the band does not apply.
    private static ScalingDirection Direction(long count, double factor, double threshold)
    {
        if (count == 0) return factor > 0 ? ScalingDirection.Up : ScalingDirection.None;
        if (factor < 1 - threshold) return ScalingDirection.Down;
        if (factor > 1 + threshold) return ScalingDirection.Up;
        return ScalingDirection.None;
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
