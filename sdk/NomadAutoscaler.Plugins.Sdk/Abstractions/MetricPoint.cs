namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>One metric value at one point in time.</summary>
/// <param name="Timestamp">When the value was observed.</param>
/// <param name="Value">The observed value.</param>
public readonly record struct MetricPoint(DateTimeOffset Timestamp, double Value);
