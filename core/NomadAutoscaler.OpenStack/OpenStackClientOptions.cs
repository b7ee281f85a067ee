namespace NomadAutoscaler.OpenStack;

/// <summary>Transport behaviour of <see cref="OpenStackSession"/>.</summary>
public sealed record OpenStackClientOptions
{
    /// <summary>Budget of one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of idempotent requests (GET, DELETE, PUT) after transient failures (no answer, 5xx, 429).
    /// POST is never retried blindly: a server create that may have been applied is reconciled by the caller.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; doubled per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Re-authenticate this long before the token's <c>expires_at</c>.</summary>
    public TimeSpan TokenRefreshMargin { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Service type → base URL used instead of the catalog's (openstacksdk's <c>*_endpoint_override</c>).</summary>
    public IReadOnlyDictionary<string, Uri> EndpointOverrides { get; init; } = new Dictionary<string, Uri>(StringComparer.Ordinal);

    /// <summary>Sent as <c>User-Agent</c>.</summary>
    public string UserAgent { get; init; } = "nomad-autoscaler-openstack";
}
