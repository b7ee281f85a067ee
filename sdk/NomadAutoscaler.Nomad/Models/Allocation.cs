namespace NomadAutoscaler.Nomad;

/// <summary>A full allocation (<c>GET /v1/allocation/:id</c>, <c>GET /v1/node/:id/allocations</c>). Nomad leaves out
/// zero-valued keys of allocations; absent keys read as the zero value here.</summary>
public sealed record Allocation
{
    /// <summary>The allocation ID.</summary>
    public string ID { get; init; } = "";

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>E.g. <c>example.cache[0]</c>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The node it runs on.</summary>
    public string NodeID { get; init; } = "";

    /// <summary>The node's name.</summary>
    public string NodeName { get; init; } = "";

    /// <summary>The job ID.</summary>
    public string JobID { get; init; } = "";

    /// <summary>The job as it was when the allocation was placed.</summary>
    public Job? Job { get; init; }

    /// <summary>The task group.</summary>
    public string TaskGroup { get; init; } = "";

    /// <summary>Legacy resource totals (<c>CPU</c> MHz, <c>MemoryMB</c>).</summary>
    public Resources? Resources { get; init; }

    /// <summary><c>run</c>, <c>stop</c> or <c>evict</c>.</summary>
    public string DesiredStatus { get; init; } = "";

    /// <summary>Why the desired status was set.</summary>
    public string DesiredDescription { get; init; } = "";

    /// <summary>Pending transitions such as a migration.</summary>
    public DesiredTransition? DesiredTransition { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>complete</c>, <c>failed</c>, <c>lost</c> or <c>unknown</c>.</summary>
    public string ClientStatus { get; init; } = "";

    /// <summary>Client status detail.</summary>
    public string ClientDescription { get; init; } = "";

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

    /// <summary>True when the server wants it stopped or the client reports it finished: it no longer uses the node.</summary>
    public bool IsTerminal => AllocationStatus.IsTerminal(DesiredStatus, ClientStatus);
}
