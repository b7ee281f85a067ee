namespace NomadAutoscaler.Nomad;

/// <summary>CPU usage.</summary>
public sealed record CpuStats
{
    /// <summary>System-mode CPU percent.</summary>
    public double SystemMode { get; init; }

    /// <summary>User-mode CPU percent.</summary>
    public double UserMode { get; init; }

    /// <summary>CPU used in MHz.</summary>
    public double TotalTicks { get; init; }

    /// <summary>Throttled periods.</summary>
    public ulong ThrottledPeriods { get; init; }

    /// <summary>Throttled time.</summary>
    public ulong ThrottledTime { get; init; }

    /// <summary>CPU percent of one core.</summary>
    public double Percent { get; init; }

    /// <summary>Which values the driver measures.</summary>
    public IReadOnlyList<string>? Measured { get; init; }
}
