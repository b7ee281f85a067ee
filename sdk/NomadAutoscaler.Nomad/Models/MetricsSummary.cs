namespace NomadAutoscaler.Nomad;

/// <summary>The JSON reply of <c>GET /v1/metrics</c>.</summary>
public sealed record MetricsSummary
{
    /// <summary>Interval start in Go's <c>time.String()</c> format (not RFC3339).</summary>
    public string Timestamp { get; init; } = "";

    /// <summary>Gauges.</summary>
    public IReadOnlyList<MetricsGauge>? Gauges { get; init; }

    /// <summary>Counters.</summary>
    public IReadOnlyList<MetricsSample>? Counters { get; init; }

    /// <summary>Timing samples.</summary>
    public IReadOnlyList<MetricsSample>? Samples { get; init; }
}
