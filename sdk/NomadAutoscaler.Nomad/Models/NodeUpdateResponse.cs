namespace NomadAutoscaler.Nomad;

/// <summary>The reply to a drain, eligibility or purge write.</summary>
public sealed record NodeUpdateResponse
{
    /// <summary>The node's new modify index (always 0 for eligibility changes).</summary>
    public ulong NodeModifyIndex { get; init; }

    /// <summary>Evaluations the change created.</summary>
    public IReadOnlyList<string>? EvalIDs { get; init; }

    /// <summary>Raft index of the evaluations.</summary>
    public ulong EvalCreateIndex { get; init; }

    /// <summary>Raft index of the write; a drain watcher blocks from it.</summary>
    public ulong Index { get; init; }
}
