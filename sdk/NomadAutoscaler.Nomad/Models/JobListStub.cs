namespace NomadAutoscaler.Nomad;

/// <summary>A job as listed by <c>GET /v1/jobs</c>.</summary>
public sealed record JobListStub
{
    /// <summary>The job ID.</summary>
    public string ID { get; init; } = "";

    /// <summary>The parent job for dispatched and periodic children.</summary>
    public string ParentID { get; init; } = "";

    /// <summary>The job name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The job type.</summary>
    public string Type { get; init; } = "";

    /// <summary><c>pending</c>, <c>running</c> or <c>dead</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>True once the job was stopped.</summary>
    public bool Stop { get; init; }

    /// <summary>Unix nanoseconds of the last submission.</summary>
    public long SubmitTime { get; init; }

    /// <summary>Datacenters the job may run in.</summary>
    public IReadOnlyList<string>? Datacenters { get; init; }

    /// <summary>The node pool the job runs in.</summary>
    public string NodePool { get; init; } = "";

    /// <summary>Allocation counts per task group, including unplaced (<c>Queued</c>) ones.</summary>
    public JobSummary? JobSummary { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>Raft index of the last specification change.</summary>
    public ulong JobModifyIndex { get; init; }
}
