namespace NomadAutoscaler.Nomad;

/// <summary>Resources a node keeps for the host, not for allocations.</summary>
public sealed record NodeReservedResources
{
    /// <summary>CPU.</summary>
    public NodeCpuResources? Cpu { get; init; }

    /// <summary>Memory.</summary>
    public NodeMemoryResources? Memory { get; init; }

    /// <summary>Disk.</summary>
    public NodeDiskResources? Disk { get; init; }
}
