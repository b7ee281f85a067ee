using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.Threshold;

/// <summary>When at least <c>within_bounds_trigger</c> data points lie in [<c>lower_bound</c>, <c>upper_bound</c>),
/// changes the count by <c>delta</c>, by <c>percentage</c>, or to <c>value</c>.</summary>
[Plugin("threshold")]
public sealed class ThresholdStrategy(ILogger<ThresholdStrategy> logger) : IStrategyPlugin<ThresholdOptions>
{
    internal const string LowerBoundKey = "lower_bound";
    internal const string UpperBoundKey = "upper_bound";
    internal const string DeltaKey = "delta";
    internal const string PercentageKey = "percentage";
    internal const string ValueKey = "value";
    internal const string WithinBoundsTriggerKey = "within_bounds_trigger";
    private const long DefaultWithinBoundsTrigger = 5;

    /// <inheritdoc />
    public ValueTask ConfigureAsync(ThresholdOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => ValueTask.FromResult(Run(request));

    internal ScalingAction Run(StrategyRequest request)
    {
        // Unlike the other strategies, upstream looks at the metrics before the configuration here.
        if (request.Metrics.Count == 0)
        {
            logger.Hclog(LogLevel.Trace, "no metrics available");
            return ScalingAction.NoChange();
        }

        var config = Parse(request.Check.Strategy.Config);
        var count = request.CurrentCount;
        (string Key, object? Value)[] context =
        [
            ("check_name", request.Check.Name), ("current_count", count), ("lower_bound", config.LowerBound),
            ("upper_bound", config.UpperBound), ("actionType", config.ActionKey),
        ];

        logger.Hclog(LogLevel.Trace, "checking how many data points are within bounds", context);
        var withinBounds = 0;
        foreach (var point in request.Metrics)
        {
            if (point.Value >= config.LowerBound && point.Value < config.UpperBound) withinBounds++;
        }

        logger.Hclog(LogLevel.Trace, string.Create(CultureInfo.InvariantCulture, $"found {withinBounds} data points within bounds"), context);
        if (withinBounds < config.WithinBoundsTrigger)
        {
            logger.Hclog(LogLevel.Trace, "not enough data points within bounds", context);
            return ScalingAction.NoChange();
        }

        logger.Hclog(LogLevel.Trace, "calculating new count", context);
        var newCount = config.ActionKey switch
        {
            DeltaKey => count + GoValues.TruncateToInt64(config.ActionValue),
            PercentageKey => GoValues.TruncateToInt64(Math.Ceiling(count * (1 + config.ActionValue / 100))),
            _ => GoValues.TruncateToInt64(config.ActionValue),
        };
        if (newCount < 0) newCount = 0;

        var direction = newCount.CompareTo(count) switch
        {
            > 0 => ScalingDirection.Up,
            < 0 => ScalingDirection.Down,
            _ => ScalingDirection.None,
        };
        if (direction == ScalingDirection.None) return ScalingAction.NoChange();

        logger.Hclog(LogLevel.Trace, "calculated scaling strategy results", [.. context, ("new_count", newCount), ("direction", Word(direction))]);

        return new ScalingAction(newCount, direction, $"scaling {Word(direction)} because metric is within bounds");
    }

    private static ThresholdConfig Parse(PluginSettings config)
    {
        var upperText = config.GetValueOrDefault(UpperBoundKey, string.Empty);
        var lowerText = config.GetValueOrDefault(LowerBoundKey, string.Empty);
        if (upperText.Length == 0 && lowerText.Length == 0)
            throw new PluginConfigException($"missing required field, must have either \"{LowerBoundKey}\" or \"{UpperBoundKey}\"");

        // Unset bounds are the largest finite doubles, as upstream's: a -Inf or +Inf point is never within them.
        var upper = ParseBound(UpperBoundKey, upperText, double.MaxValue);
        var lower = ParseBound(LowerBoundKey, lowerText, double.MinValue);

        var trigger = DefaultWithinBoundsTrigger;
        var triggerText = config.GetValueOrDefault(WithinBoundsTriggerKey, string.Empty);
        if (triggerText.Length != 0 && !GoValues.TryParseInt64(triggerText, out trigger))
            throw InvalidValue($"\"{WithinBoundsTriggerKey}\"", triggerText);

        var deltaText = config.GetValueOrDefault(DeltaKey, string.Empty);
        var percentageText = config.GetValueOrDefault(PercentageKey, string.Empty);
        var valueText = config.GetValueOrDefault(ValueKey, string.Empty);
        var actions = (deltaText.Length != 0 ? 1 : 0) + (percentageText.Length != 0 ? 1 : 0) + (valueText.Length != 0 ? 1 : 0);
        if (actions == 0)
            throw new PluginConfigException($"missing required field, must have either \"{DeltaKey}\", \"{PercentageKey}\" or \"{ValueKey}\"");
        if (actions > 1)
            throw new PluginConfigException($"only one of \"{DeltaKey}\", \"{PercentageKey}\" or \"{ValueKey}\" must be provided");

        // Upstream keeps every action value as a float64, so whole numbers beyond 2^53 lose precision as they do there.
        // The "interger" typos are upstream's and kept because users may match on them.
        string actionKey;
        double actionValue;
        if (deltaText.Length != 0)
        {
            if (!GoValues.TryParseInt64(deltaText, out var delta))
                throw new PluginConfigException($"\"{DeltaKey}\" value {deltaText} is not an interger");
            (actionKey, actionValue) = (DeltaKey, delta);
        }
        else if (percentageText.Length != 0)
        {
            if (!GoValues.TryParseFloat(percentageText, out var percentage))
                throw new PluginConfigException($"\"{PercentageKey}\" value {percentageText} is not a number");
            (actionKey, actionValue) = (PercentageKey, percentage);
        }
        else
        {
            if (!GoValues.TryParseInt64(valueText, out var value))
                throw new PluginConfigException($"\"{ValueKey}\" value {valueText} is not an interger");
            if (value < 0) throw new PluginConfigException($"\"{ValueKey}\" value {valueText} is negative");
            (actionKey, actionValue) = (ValueKey, value);
        }

        return new ThresholdConfig(lower, upper, trigger, actionKey, actionValue);
    }

    private static double ParseBound(string key, string text, double unset)
    {
        if (text.Length == 0) return unset;
        return GoValues.TryParseFloat(text, out var bound)
            ? bound
            : throw InvalidValue($"\"{key}\"", text);
    }

    private sealed record ThresholdConfig(double LowerBound, double UpperBound, long WithinBoundsTrigger, string ActionKey, double ActionValue);

    // Upstream's text; its %T of a config value always prints "string".
    private static PluginConfigException InvalidValue(string quotedKey, string value) => new($"invalid value for {quotedKey}: {value} (string)");

    // Only called for up or down: "none" never reaches a reason or a trace.
    private static string Word(ScalingDirection direction) => direction == ScalingDirection.Up ? "up" : "down";
}
