using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.TestPlugins;

/// <summary>Proposes a fixed count. The policy's strategy block key <c>count</c> wins over the plugin-level <c>count</c>;
/// with neither, it proposes no change. The direction follows from the count versus the current count.</summary>
[Plugin("noop-strategy")]
public sealed class NoopStrategy : IStrategyPlugin<NoopStrategyOptions>
{
    private NoopStrategyOptions _options = new();

    public ValueTask ConfigureAsync(NoopStrategyOptions options, CancellationToken cancellationToken)
    {
        _options = options;
        return ValueTask.CompletedTask;
    }

    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
    {
        var desired = request.Check.Strategy.Config.GetInt64("count") ?? _options.Count;
        if (desired is null)
            return ValueTask.FromResult(new ScalingAction(request.CurrentCount, ScalingDirection.None, "noop-strategy: no count configured"));
        var direction = desired.Value > request.CurrentCount ? ScalingDirection.Up
            : desired.Value < request.CurrentCount ? ScalingDirection.Down
            : ScalingDirection.None;
        var reason = _options.Reason ?? $"noop-strategy: scaling from {request.CurrentCount} to {desired.Value}";
        return ValueTask.FromResult(new ScalingAction(desired.Value, direction, reason)
        {
            Meta = new Dictionary<string, object?> { ["metrics"] = request.Metrics.Count },
        });
    }
}

/// <summary>Configuration of <see cref="NoopStrategy"/>.</summary>
public sealed class NoopStrategyOptions
{
    /// <summary>The count to propose when the policy does not say.</summary>
    public long? Count { get; init; }

    /// <summary>A fixed reason text.</summary>
    public string? Reason { get; init; }
}
