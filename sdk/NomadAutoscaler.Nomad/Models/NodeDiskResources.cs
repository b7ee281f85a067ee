namespace NomadAutoscaler.Nomad;

/// <summary>Disk of a node.</summary>
public sealed record NodeDiskResources
{
    /// <summary>Disk in MiB.</summary>
    public long DiskMB { get; init; }
}
