namespace NomadAutoscaler.Nomad;

/// <summary>CPU and memory usage.</summary>
public sealed record ResourceUsage
{
    /// <summary>Memory.</summary>
    public MemoryStats? MemoryStats { get; init; }

    /// <summary>CPU.</summary>
    public CpuStats? CpuStats { get; init; }
}
