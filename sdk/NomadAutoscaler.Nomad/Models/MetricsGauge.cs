namespace NomadAutoscaler.Nomad;

/// <summary>A gauge of <c>/v1/metrics</c>.</summary>
public sealed record MetricsGauge
{
    /// <summary>Dotted name, e.g. <c>nomad.client.allocated.cpu</c>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The value.</summary>
    public double Value { get; init; }

    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
