namespace NomadAutoscaler.Nomad;

/// <summary>A counter or sample of <c>/v1/metrics</c>.</summary>
public sealed record MetricsSample
{
    /// <summary>Dotted name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Number of observations.</summary>
    public long Count { get; init; }

    /// <summary>Rate per second.</summary>
    public double Rate { get; init; }

    /// <summary>Sum.</summary>
    public double Sum { get; init; }

    /// <summary>Minimum.</summary>
    public double Min { get; init; }

    /// <summary>Maximum.</summary>
    public double Max { get; init; }

    /// <summary>Mean.</summary>
    public double Mean { get; init; }

    /// <summary>Standard deviation.</summary>
    public double Stddev { get; init; }

    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
