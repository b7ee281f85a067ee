namespace NomadAutoscaler.Nomad;

/// <summary>An allocation as listed by <c>GET /v1/job/:id/allocations</c> and <c>GET /v1/allocations</c>.</summary>
public sealed record AllocationListStub
{
    /// <summary>The allocation ID.</summary>
    public string ID { get; init; } = "";

    /// <summary>The evaluation that placed it.</summary>
    public string EvalID { get; init; } = "";

    /// <summary>E.g. <c>example.cache[0]</c>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The node it runs on.</summary>
    public string NodeID { get; init; } = "";

    /// <summary>The node's name.</summary>
    public string NodeName { get; init; } = "";

    /// <summary>The job ID.</summary>
    public string JobID { get; init; } = "";

    /// <summary>The job type.</summary>
    public string JobType { get; init; } = "";

    /// <summary>The job version.</summary>
    public ulong JobVersion { get; init; }

    /// <summary>The task group.</summary>
    public string TaskGroup { get; init; } = "";

    /// <summary><c>run</c>, <c>stop</c> or <c>evict</c>.</summary>
    public string DesiredStatus { get; init; } = "";

    /// <summary><c>pending</c>, <c>running</c>, <c>complete</c>, <c>failed</c>, <c>lost</c> or <c>unknown</c>.</summary>
    public string ClientStatus { get; init; } = "";

    /// <summary>Pending transitions.</summary>
    public DesiredTransition? DesiredTransition { get; init; }

    /// <summary>Deployment health.</summary>
    public AllocationDeploymentStatus? DeploymentStatus { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>Unix nanoseconds of creation.</summary>
    public long CreateTime { get; init; }

    /// <summary>Unix nanoseconds of the last change.</summary>
    public long ModifyTime { get; init; }
}
