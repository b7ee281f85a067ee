namespace NomadAutoscaler.Nomad;

/// <summary>A node as read by <c>GET /v1/node/:id</c>.</summary>
public sealed record Node
{
    /// <summary>The node ID (UUID).</summary>
    public string ID { get; init; } = "";

    /// <summary>The node name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The datacenter.</summary>
    public string Datacenter { get; init; } = "";

    /// <summary>The node pool.</summary>
    public string NodePool { get; init; } = "";

    /// <summary>The node class; empty when none is set.</summary>
    public string NodeClass { get; init; } = "";

    /// <summary>The client's HTTP address.</summary>
    public string HTTPAddr { get; init; } = "";

    /// <summary>Fingerprinted attributes, e.g. <c>unique.platform.aws.instance-id</c>.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Operator-set metadata.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Total resources.</summary>
    public NodeResources? NodeResources { get; init; }

    /// <summary>Resources reserved for the host.</summary>
    public NodeReservedResources? ReservedResources { get; init; }

    /// <summary>The running drain, or null when none runs.</summary>
    public DrainStrategy? DrainStrategy { get; init; }

    /// <summary>True while a drain is in progress.</summary>
    public bool Drain { get; init; }

    /// <summary><c>eligible</c> or <c>ineligible</c>.</summary>
    public string SchedulingEligibility { get; init; } = "";

    /// <summary><c>initializing</c>, <c>ready</c>, <c>down</c> or <c>disconnected</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Human-readable status detail.</summary>
    public string StatusDescription { get; init; } = "";

    /// <summary>Unix seconds of the last status change.</summary>
    public long StatusUpdatedAt { get; init; }

    /// <summary>The last drain, or null.</summary>
    public DrainMetadata? LastDrain { get; init; }

    /// <summary>Recent node events, oldest first.</summary>
    public IReadOnlyList<NodeEvent>? Events { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }
}
