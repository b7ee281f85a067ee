namespace NomadAutoscaler.Nomad;

/// <summary>The outcome of a lock acquire, renew or release. A conflict (HTTP 409: the lock is held by someone
/// else, or was lost) is a normal result, not an exception.</summary>
public sealed record VariableLockResult
{
    /// <summary>True when the lock is held by another ID, or the caller no longer holds it.</summary>
    public bool IsConflict { get; init; }

    /// <summary>The variable as returned: with <see cref="Variable.Lock"/> after acquire and renew; the conflicting
    /// variable's metadata on a JSON 409; null on a text 409.</summary>
    public Variable? Variable { get; init; }

    /// <summary>Nomad's text on a conflict, e.g. <c>variable doesn't hold a lock</c>.</summary>
    public string? ConflictMessage { get; init; }

    /// <summary>The lock ID after a successful acquire or renew.</summary>
    public string? LockId => IsConflict ? null : Variable?.Lock?.ID;
}
