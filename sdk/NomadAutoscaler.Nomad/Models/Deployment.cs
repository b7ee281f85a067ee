namespace NomadAutoscaler.Nomad;

/// <summary>A deployment as listed by <c>GET /v1/deployments</c>.</summary>
public sealed record Deployment
{
    /// <summary>The deployment ID.</summary>
    public string ID { get; init; } = "";

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The job ID.</summary>
    public string JobID { get; init; } = "";

    /// <summary>The create index of the job instance it deploys.</summary>
    public ulong JobCreateIndex { get; init; }

    /// <summary>The job version it deploys.</summary>
    public ulong JobVersion { get; init; }

    /// <summary><c>running</c>, <c>paused</c>, <c>pending</c>, <c>blocked</c>, <c>unblocking</c>, <c>initializing</c>,
    /// <c>successful</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Status detail.</summary>
    public string StatusDescription { get; init; } = "";

    /// <summary>True while the deployment still runs; Nomad refuses job scaling then.</summary>
    public bool IsActive => Status is "running" or "paused" or "pending" or "blocked" or "unblocking" or "initializing";
}
