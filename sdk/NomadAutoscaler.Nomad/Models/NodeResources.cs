namespace NomadAutoscaler.Nomad;

/// <summary>A node's total resources.</summary>
public sealed record NodeResources
{
    /// <summary>CPU.</summary>
    public NodeCpuResources? Cpu { get; init; }

    /// <summary>Memory.</summary>
    public NodeMemoryResources? Memory { get; init; }

    /// <summary>Disk.</summary>
    public NodeDiskResources? Disk { get; init; }
}
