using System.Text;

namespace NomadAutoscaler.Plugins.Sdk.Cluster;

/// <summary>Which Nomad nodes form a pool: every key that is set must match (logical AND).</summary>
public sealed record NodePoolIdentifier
{
    /// <summary>Node class; <c>autoscaler-default-pool</c> matches nodes without a class.</summary>
    public string? NodeClass { get; init; }

    /// <summary>Datacenter.</summary>
    public string? Datacenter { get; init; }

    /// <summary>Node pool.</summary>
    public string? NodePool { get; init; }

    /// <summary>Reads <c>node_class</c>, <c>datacenter</c> and <c>node_pool</c>.</summary>
    /// <exception cref="PluginConfigException">None of them is set: <c>node pool identification method required</c>.</exception>
    public static NodePoolIdentifier FromConfig(IReadOnlyDictionary<string, string> config)
    {
        static string? Get(IReadOnlyDictionary<string, string> c, string key)
            => c.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        var pool = new NodePoolIdentifier
        {
            NodeClass = Get(config, ClusterConfigKeys.NodeClass),
            Datacenter = Get(config, ClusterConfigKeys.Datacenter),
            NodePool = Get(config, ClusterConfigKeys.NodePool),
        };
        return pool.IsEmpty
            ? throw new PluginConfigException(ClusterConfigKeys.NodeClass, "node pool identification method required (set node_class, datacenter or node_pool)")
            : pool;
    }

    /// <summary>True when no key is set.</summary>
    public bool IsEmpty => NodeClass is null && Datacenter is null && NodePool is null;

    /// <summary>True when a node with these properties belongs to the pool.</summary>
    public bool Matches(string? nodeClass, string? datacenter, string? nodePool)
    {
        if (IsEmpty) return false;
        if (NodeClass is not null)
        {
            var matchesClass = string.IsNullOrEmpty(nodeClass)
                ? NodeClass == ClusterConfigKeys.DefaultPoolClass
                : nodeClass == NodeClass;
            if (!matchesClass) return false;
        }

        if (Datacenter is not null && datacenter != Datacenter) return false;
        return NodePool is null || nodePool == NodePool;
    }

    /// <summary>The keys that are set, as <c>node_class=x, datacenter=y</c>, for messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is null) return;
            if (sb.Length > 0) sb.Append(", ");
            sb.Append(key).Append('=').Append(value);
        }

        Add(ClusterConfigKeys.NodeClass, NodeClass);
        Add(ClusterConfigKeys.Datacenter, Datacenter);
        Add(ClusterConfigKeys.NodePool, NodePool);
        return sb.ToString();
    }
}
