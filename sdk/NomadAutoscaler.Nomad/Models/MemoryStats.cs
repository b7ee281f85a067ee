namespace NomadAutoscaler.Nomad;

/// <summary>Memory usage in bytes.</summary>
public sealed record MemoryStats
{
    /// <summary>Resident set size.</summary>
    public ulong RSS { get; init; }

    /// <summary>Page cache.</summary>
    public ulong Cache { get; init; }

    /// <summary>Swap.</summary>
    public ulong Swap { get; init; }

    /// <summary>Mapped files.</summary>
    public ulong MappedFile { get; init; }

    /// <summary>Total usage; what nomad-apm reads.</summary>
    public ulong Usage { get; init; }

    /// <summary>Peak usage.</summary>
    public ulong MaxUsage { get; init; }

    /// <summary>Kernel usage.</summary>
    public ulong KernelUsage { get; init; }

    /// <summary>Kernel peak usage.</summary>
    public ulong KernelMaxUsage { get; init; }

    /// <summary>Which values the driver measures.</summary>
    public IReadOnlyList<string>? Measured { get; init; }
}
