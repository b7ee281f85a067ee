namespace NomadAutoscaler.Nomad;

/// <summary>Transitions the scheduler is asked to make for an allocation.</summary>
public sealed record DesiredTransition
{
    /// <summary>Migrate it off its node (set by drains).</summary>
    public bool? Migrate { get; init; }

    /// <summary>Reschedule it.</summary>
    public bool? Reschedule { get; init; }

    /// <summary>Reschedule it even if it is healthy.</summary>
    public bool? ForceReschedule { get; init; }
}
