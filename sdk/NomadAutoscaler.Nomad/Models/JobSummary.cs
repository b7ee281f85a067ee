namespace NomadAutoscaler.Nomad;

/// <summary>Allocation counts of a job per task group (part of <see cref="JobListStub"/>).</summary>
public sealed record JobSummary
{
    /// <summary>Per task group.</summary>
    public IReadOnlyDictionary<string, TaskGroupSummary>? Summary { get; init; }
}
