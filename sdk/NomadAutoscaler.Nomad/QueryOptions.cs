namespace NomadAutoscaler.Nomad;

/// <summary>Per-call options of a read. Unset values fall back to <see cref="NomadClientOptions"/>.</summary>
public sealed record QueryOptions
{
    /// <summary>Namespace of this call (<c>*</c> for all, on list endpoints).</summary>
    public string? Namespace { get; init; }

    /// <summary>Region of this call.</summary>
    public string? Region { get; init; }

    /// <summary>Blocking query: return only once the result index differs from this one (or the wait ends).
    /// Zero makes the call non-blocking.</summary>
    public ulong WaitIndex { get; init; }

    /// <summary>Longest time a blocking query waits; defaults to <see cref="NomadClientOptions.BlockQueryWaitTime"/>.</summary>
    public TimeSpan? WaitTime { get; init; }

    /// <summary>Lets any server answer (<c>stale</c>), not only the leader.</summary>
    public bool AllowStale { get; init; }

    /// <summary>ID prefix filter.</summary>
    public string? Prefix { get; init; }

    /// <summary>A go-bexpr filter expression, on endpoints that support it.</summary>
    public string? Filter { get; init; }
}
