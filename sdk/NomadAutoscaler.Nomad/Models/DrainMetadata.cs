namespace NomadAutoscaler.Nomad;

/// <summary>A node's last drain (<c>LastDrain</c>).</summary>
public sealed record DrainMetadata
{
    /// <summary>When it started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary><c>draining</c>, <c>complete</c> or <c>canceled</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Who started it.</summary>
    public string AccessorID { get; init; } = "";

    /// <summary>The meta passed with the drain request.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}
