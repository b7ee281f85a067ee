using System.Globalization;
using NomadAutoscaler.Plugins.Sdk;

namespace ExampleStrategyPlugin;

/// <summary>A strategy plugin: the agent sends it a check's metrics and the current count, and it answers the count it
/// wants. This one wants one instance per <c>per_instance</c> units of the latest metric value (rounded up); replace
/// that with your own rule.</summary>
[Plugin("example-strategy")]
public sealed class ExampleStrategy : IStrategyPlugin<ExampleStrategyOptions>
{
    private ExampleStrategyOptions _options = new();

    /// <inheritdoc />
    public ValueTask ConfigureAsync(ExampleStrategyOptions options, CancellationToken cancellationToken)
    {
        // Called before any other method, and again on every agent reload.
        _options = options;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
    {
        // Per-check settings come from the policy's strategy block; a malformed value fails naming the key.
        var perInstance = request.Check.Strategy.Config.GetDouble("per_instance", 1)!.Value;
        if (request.Metrics.Count == 0 || perInstance <= 0)
            return ValueTask.FromResult(new ScalingAction(request.CurrentCount, ScalingDirection.None, "no metrics"));

        var latest = request.Metrics[^1].Value;
        var wanted = Math.Max(_options.MinCount, (long)Math.Ceiling(latest / perInstance));
        var direction = wanted > request.CurrentCount ? ScalingDirection.Up
            : wanted < request.CurrentCount ? ScalingDirection.Down
            : ScalingDirection.None;
        return ValueTask.FromResult(new ScalingAction(wanted, direction,
            string.Create(CultureInfo.InvariantCulture, $"metric {latest} at {perInstance} per instance needs {wanted}")));
    }
}

/// <summary>The agent's <c>strategy "example-strategy" { config = { ... } }</c> block.</summary>
public sealed class ExampleStrategyOptions
{
    /// <summary><c>min_count</c>: the least count this strategy ever asks for.</summary>
    public long MinCount { get; init; } = 1;
}
