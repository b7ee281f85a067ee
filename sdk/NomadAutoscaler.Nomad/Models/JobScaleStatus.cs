namespace NomadAutoscaler.Nomad;

/// <summary>The reply of <c>GET /v1/job/:id/scale</c>.</summary>
public sealed record JobScaleStatus
{
    /// <summary>The job ID.</summary>
    public string JobID { get; init; } = "";

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The job's create index.</summary>
    public ulong JobCreateIndex { get; init; }

    /// <summary>The job's <c>ModifyIndex</c>.</summary>
    public ulong JobModifyIndex { get; init; }

    /// <summary>True when the job is stopped.</summary>
    public bool JobStopped { get; init; }

    /// <summary>Per group.</summary>
    public IReadOnlyDictionary<string, TaskGroupScaleStatus>? TaskGroups { get; init; }
}
