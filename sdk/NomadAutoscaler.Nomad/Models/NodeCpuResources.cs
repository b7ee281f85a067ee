namespace NomadAutoscaler.Nomad;

/// <summary>CPU of a node.</summary>
public sealed record NodeCpuResources
{
    /// <summary>Compute in MHz.</summary>
    public long CpuShares { get; init; }

    /// <summary>Number of cores (absent on old servers and on reserved resources).</summary>
    public int TotalCpuCores { get; init; }
}
