namespace NomadAutoscaler.Nomad;

/// <summary>Counts and scaling events of one task group.</summary>
public sealed record TaskGroupScaleStatus
{
    /// <summary>The group's count.</summary>
    public long Desired { get; init; }

    /// <summary>Non-terminal allocations.</summary>
    public long Placed { get; init; }

    /// <summary>Running allocations.</summary>
    public long Running { get; init; }

    /// <summary>Healthy allocations.</summary>
    public long Healthy { get; init; }

    /// <summary>Unhealthy allocations.</summary>
    public long Unhealthy { get; init; }

    /// <summary>Scaling events, newest first (at most 20).</summary>
    public IReadOnlyList<ScalingEvent>? Events { get; init; }
}
