using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Strategies;

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
        if (targetText.Length == 0) throw StrategyResults.ConfigError("missing required field `target`");
        if (!GoStrconv.TryParseFloat(targetText, out var target))
            throw StrategyResults.ConfigError(StrategyResults.InvalidValue("`target`", targetText));

        var thresholdText = config.GetValueOrDefault(ThresholdKey, string.Empty);
        var threshold = DefaultThreshold;
        if (thresholdText.Length != 0 && !GoStrconv.TryParseFloat(thresholdText, out threshold))
            throw StrategyResults.ConfigError(StrategyResults.InvalidValue("`threshold`", thresholdText));

        var (maxScaleUp, maxScaleUpText) = ScaleLimit.Parse(config, MaxScaleUpKey, "+Inf");
        var (maxScaleDown, maxScaleDownText) = ScaleLimit.Parse(config, MaxScaleDownKey, "-Inf");

        // Configuration errors win over missing metrics, as upstream checks the metrics only after parsing.
        if (request.Metrics.Count == 0) return StrategyResults.Nothing;

        var metric = StrategyResults.Newest(request.Metrics);
        var count = request.CurrentCount;

        // A target of 0 (an empty queue, say) makes the metric itself the factor.
        var factor = target == 0 ? metric.Value : metric.Value / target;

        var direction = Direction(count, factor, threshold);
        if (direction == ScalingDirection.None) return ScalingAction.NoChange();

        // Scaling from zero uses the factor alone; the multiplication order is upstream's, so IEEE artefacts such as
        // 7 × (29 / 7) = 29.000000000000004 → 30 come out the same.
        var newCount = count == 0
            ? GoFormat.TruncateToInt64(Math.Ceiling(factor))
            : GoFormat.TruncateToInt64(Math.Ceiling(count * factor));

        if (maxScaleDown is { } down && newCount < count - down) newCount = count - down;
        if (maxScaleUp is { } up && newCount > count + up) newCount = count + up;

        logger.Trace("calculated scaling strategy results",
            ("check_name", request.Check.Name), ("current_count", count), ("new_count", newCount),
            ("metric_value", metric.Value), ("metric_time", metric.Timestamp), ("factor", factor),
            ("direction", StrategyResults.Word(direction)), ("max_scale_up", maxScaleUpText), ("max_scale_down", maxScaleDownText));

        if (newCount == count) return ScalingAction.NoChange();

        return new ScalingAction(newCount, direction, $"scaling {StrategyResults.Word(direction)} because factor is {GoFormat.Float6(factor)}");
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
}
