namespace NomadAutoscaler.Nomad;

/// <summary>The reply of <c>GET /v1/client/allocation/:id/stats</c>.</summary>
public sealed record AllocationResourceUsage
{
    /// <summary>Totals of the allocation.</summary>
    public ResourceUsage? ResourceUsage { get; init; }

    /// <summary>Per task.</summary>
    public IReadOnlyDictionary<string, TaskResourceUsage>? Tasks { get; init; }

    /// <summary>Unix nanoseconds of the sample.</summary>
    public long Timestamp { get; init; }
}
