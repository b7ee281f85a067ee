namespace NomadAutoscaler.Nomad;

/// <summary>A task group of a job.</summary>
public sealed record TaskGroup
{
    /// <summary>The group name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The desired count.</summary>
    public int? Count { get; init; }

    /// <summary>Group-level placement constraints.</summary>
    public IReadOnlyList<Constraint>? Constraints { get; init; }

    /// <summary>The tasks.</summary>
    public IReadOnlyList<JobTask>? Tasks { get; init; }

    /// <summary>The group's horizontal scaling policy, if any.</summary>
    public ScalingPolicy? Scaling { get; init; }
}
