namespace NomadAutoscaler.OpenStack;

/// <summary>What <c>POST /servers</c> sends.</summary>
public sealed record NovaServerCreateRequest
{
    /// <summary>Server name (required).</summary>
    public required string Name { get; init; }

    /// <summary>Image ID.</summary>
    public required string ImageId { get; init; }

    /// <summary>Flavor ID.</summary>
    public required string FlavorId { get; init; }

    /// <summary>Networks, attached in order.</summary>
    public IReadOnlyList<string> NetworkIds { get; init; } = [];

    /// <summary>Security group names.</summary>
    public IReadOnlyList<string> SecurityGroups { get; init; } = [];

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Tags (microversion ≥ 2.52).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Availability zone; null lets Nova choose.</summary>
    public string? AvailabilityZone { get; init; }

    /// <summary>User data, already base64-encoded.</summary>
    public string? UserDataBase64 { get; init; }

    /// <summary>Server group ID (scheduler hint <c>group</c>).</summary>
    public string? ServerGroupId { get; init; }
}
