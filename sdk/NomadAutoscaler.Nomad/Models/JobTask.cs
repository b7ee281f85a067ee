namespace NomadAutoscaler.Nomad;

/// <summary>A task of a task group.</summary>
public sealed record JobTask
{
    /// <summary>The task name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The task driver.</summary>
    public string Driver { get; init; } = "";

    /// <summary>Task-level placement constraints.</summary>
    public IReadOnlyList<Constraint>? Constraints { get; init; }

    /// <summary>Requested resources.</summary>
    public Resources? Resources { get; init; }
}
