namespace NomadAutoscaler.Nomad;

/// <summary>A job (<c>GET /v1/job/:id</c>); only the fields the autoscaler uses are decoded.</summary>
public sealed record Job
{
    /// <summary>The job ID.</summary>
    public string ID { get; init; } = "";

    /// <summary>The job name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary><c>service</c>, <c>batch</c>, <c>system</c> or <c>sysbatch</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary><c>pending</c>, <c>running</c> or <c>dead</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>True once the job was stopped.</summary>
    public bool Stop { get; init; }

    /// <summary>The job version.</summary>
    public ulong Version { get; init; }

    /// <summary>The node pool the job runs in.</summary>
    public string NodePool { get; init; } = "";

    /// <summary>Datacenters the job may run in.</summary>
    public IReadOnlyList<string>? Datacenters { get; init; }

    /// <summary>Unix nanoseconds of the last submission.</summary>
    public long SubmitTime { get; init; }

    /// <summary>The groups.</summary>
    public IReadOnlyList<TaskGroup>? TaskGroups { get; init; }

    /// <summary>Operator-set metadata (<c>meta</c> block), e.g. <c>nomad_autoscaler.do_not_disrupt</c>.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Job-level placement constraints.</summary>
    public IReadOnlyList<Constraint>? Constraints { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change to the job object.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>Raft index of the last change to the job specification.</summary>
    public ulong JobModifyIndex { get; init; }
}
