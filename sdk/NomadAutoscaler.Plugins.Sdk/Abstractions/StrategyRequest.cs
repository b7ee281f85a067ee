namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Input of one strategy run.</summary>
/// <param name="Check">The check being evaluated, with the strategy's per-policy configuration.</param>
/// <param name="Metrics">The check's metrics, oldest first.</param>
/// <param name="CurrentCount">The target's current count.</param>
public sealed record StrategyRequest(PolicyCheck Check, IReadOnlyList<MetricPoint> Metrics, long CurrentCount);
