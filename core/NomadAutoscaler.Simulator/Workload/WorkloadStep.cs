namespace NomadAutoscaler.Simulator.Workload;

/// <summary>One parsed schedule line. <see cref="Args"/> holds the <c>key value</c> pairs after the subject.</summary>
internal sealed record WorkloadStep(
    TimeSpan At,
    WorkloadVerb Verb,
    string Subject,
    IReadOnlyDictionary<string, string> Args,
    TimeSpan Over,
    int Line);

internal enum WorkloadVerb
{
    NodeAdd,
    NodeStatus,
    NodePurge,
    JobCount,
    JobStop,
    JobUsage,
}
