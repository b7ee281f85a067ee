using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.FixedValue;

/// <summary>Always asks for the count in <c>value</c>. It reads no metrics, so a check using it needs no APM source or
/// query; a negative value is passed on and left to the agent's min/max capping.</summary>
[Plugin("fixed-value")]
public sealed class FixedValueStrategy(ILogger<FixedValueStrategy> logger) : IStrategyPlugin<FixedValueOptions>
{
    internal const string ValueKey = "value";

    /// <inheritdoc />
    public ValueTask ConfigureAsync(FixedValueOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => ValueTask.FromResult(Run(request));

    internal ScalingAction Run(StrategyRequest request)
    {
        var text = request.Check.Strategy.Config.GetValueOrDefault(ValueKey, string.Empty);
        if (text.Length == 0) throw new PluginConfigException("missing required field `value`");
        if (!GoValues.TryParseInt64(text, out var value))
            throw InvalidValue("`value`", text);

        var count = request.CurrentCount;
        var direction = value.CompareTo(count) switch
        {
            > 0 => ScalingDirection.Up,
            < 0 => ScalingDirection.Down,
            _ => ScalingDirection.None,
        };
        if (direction == ScalingDirection.None) return ScalingAction.NoChange();

        logger.Hclog(LogLevel.Trace, "calculated scaling strategy results",
            ("check_name", request.Check.Name), ("current_count", count), ("new_count", value),
            ("direction", Word(direction)));

        return new ScalingAction(value, direction, string.Create(CultureInfo.InvariantCulture, $"scaling {Word(direction)} because fixed value is {value}"));
    }

    // Upstream's text; its %T of a config value always prints "string".
    private static PluginConfigException InvalidValue(string quotedKey, string value) => new($"invalid value for {quotedKey}: {value} (string)");

    // Only called for up or down: "none" never reaches a reason or a trace.
    private static string Word(ScalingDirection direction) => direction == ScalingDirection.Up ? "up" : "down";
}
