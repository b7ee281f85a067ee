namespace NomadAutoscaler.Nomad;

/// <summary>A node as listed by <c>GET /v1/nodes</c>.</summary>
public sealed record NodeListStub
{
    /// <summary>The node ID (UUID).</summary>
    public string ID { get; init; } = "";

    /// <summary>The node name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The host part of the node's HTTP address.</summary>
    public string Address { get; init; } = "";

    /// <summary>The datacenter.</summary>
    public string Datacenter { get; init; } = "";

    /// <summary>The node pool (<c>default</c> unless set).</summary>
    public string NodePool { get; init; } = "";

    /// <summary>The node class; empty when none is set.</summary>
    public string NodeClass { get; init; } = "";

    /// <summary>The Nomad version of the client.</summary>
    public string Version { get; init; } = "";

    /// <summary>True while a drain is in progress.</summary>
    public bool Drain { get; init; }

    /// <summary><c>eligible</c> or <c>ineligible</c>.</summary>
    public string SchedulingEligibility { get; init; } = "";

    /// <summary><c>initializing</c>, <c>ready</c>, <c>down</c> or <c>disconnected</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Human-readable status detail.</summary>
    public string StatusDescription { get; init; } = "";

    /// <summary>Some attributes, only when asked for (<c>os=true</c>).</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Total resources, only with <c>resources=true</c>.</summary>
    public NodeResources? NodeResources { get; init; }

    /// <summary>Reserved resources, only with <c>resources=true</c>.</summary>
    public NodeReservedResources? ReservedResources { get; init; }

    /// <summary>The last drain, or null.</summary>
    public DrainMetadata? LastDrain { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }
}
