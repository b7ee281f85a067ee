namespace NomadAutoscaler.Nomad;

/// <summary>Allocation counts of one task group.</summary>
public sealed record TaskGroupSummary
{
    /// <summary>Allocations the scheduler could not place yet (waiting for capacity).</summary>
    public long Queued { get; init; }

    /// <summary>Placed, not yet running.</summary>
    public long Starting { get; init; }

    /// <summary>Running.</summary>
    public long Running { get; init; }

    /// <summary>Completed.</summary>
    public long Complete { get; init; }

    /// <summary>Failed.</summary>
    public long Failed { get; init; }

    /// <summary>Lost.</summary>
    public long Lost { get; init; }
}
