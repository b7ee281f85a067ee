namespace NomadAutoscaler.Nomad;

/// <summary>Resource usage of one task.</summary>
public sealed record TaskResourceUsage
{
    /// <summary>The usage.</summary>
    public ResourceUsage? ResourceUsage { get; init; }

    /// <summary>Unix nanoseconds of the sample.</summary>
    public long Timestamp { get; init; }
}
