namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>A node pool's state as a cloud target's Status needs it.</summary>
public sealed record ClusterPoolStatus
{
    /// <summary>True when the pool can be scaled: no member is initializing or draining (unless the filter skips
    /// them) and Nomad could be read. An empty pool is ready.</summary>
    public bool Ready { get; init; }

    /// <summary>Why the pool is not ready.</summary>
    public string? NotReadyReason { get; init; }

    /// <summary>Members that are ready, eligible and not draining.</summary>
    public int ReadyNodes { get; init; }

    /// <summary>Members that are ready but ineligible (and not draining).</summary>
    public int IneligibleNodes { get; init; }

    /// <summary>Members with a drain in progress.</summary>
    public int DrainingNodes { get; init; }

    /// <summary>Members still initializing.</summary>
    public int InitializingNodes { get; init; }

    /// <summary>Members that are down or disconnected.</summary>
    public int DownNodes { get; init; }

    /// <summary>The members the filter keeps.</summary>
    public IReadOnlyList<NodeListStub> UsableNodes { get; init; } = [];
}
