namespace NomadAutoscaler.Nomad;

/// <summary>An entry of a node's event log.</summary>
public sealed record NodeEvent
{
    /// <summary>What happened, e.g. <c>Node drain complete</c>.</summary>
    public string Message { get; init; } = "";

    /// <summary>E.g. <c>Drain</c> or <c>Cluster</c>.</summary>
    public string Subsystem { get; init; } = "";

    /// <summary>Extra details.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Raft index of the event.</summary>
    public ulong CreateIndex { get; init; }
}
