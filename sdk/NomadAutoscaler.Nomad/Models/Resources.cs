namespace NomadAutoscaler.Nomad;

/// <summary>Resources of a task, or an allocation's legacy totals. Absent values are null.</summary>
public sealed record Resources
{
    /// <summary>CPU in MHz.</summary>
    public int? CPU { get; init; }

    /// <summary>Reserved whole cores.</summary>
    public int? Cores { get; init; }

    /// <summary>Memory in MiB.</summary>
    public int? MemoryMB { get; init; }

    /// <summary>Memory oversubscription limit in MiB.</summary>
    public int? MemoryMaxMB { get; init; }

    /// <summary>Disk in MiB.</summary>
    public int? DiskMB { get; init; }
}
