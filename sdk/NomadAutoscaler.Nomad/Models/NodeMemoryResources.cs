namespace NomadAutoscaler.Nomad;

/// <summary>Memory of a node.</summary>
public sealed record NodeMemoryResources
{
    /// <summary>Memory in MiB.</summary>
    public long MemoryMB { get; init; }
}
