using System.Text;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad.Cluster;

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

    /// <summary>A go-bexpr <c>filter</c> for <c>GET /v1/nodes</c> that lets the server leave out nodes of other pools,
    /// or null when it cannot narrow anything. It may match more than <see cref="Matches"/> (it never matches less),
    /// so callers still filter the reply with <see cref="Matches"/>: a Nomad that ignores the parameter gives the
    /// same result, and a large cluster no longer sends every node to every pool's query.</summary>
    public string? ListFilter()
    {
        var terms = new List<string>();
        // autoscaler-default-pool stands for nodes without a class as well as for the class itself; leaving the
        // class out keeps both.
        if (NodeClass is not null && NodeClass != ClusterConfigKeys.DefaultPoolClass) AddTerm(terms, "NodeClass", NodeClass);
        if (Datacenter is not null) AddTerm(terms, "Datacenter", Datacenter);
        if (NodePool is not null) AddTerm(terms, "NodePool", NodePool);
        return terms.Count == 0 ? null : string.Join(" and ", terms);
    }

    /// <summary>The options of a <c>GET /v1/nodes</c> that asks for this pool's nodes (<see cref="ListFilter"/>); callers
    /// still filter the reply with <see cref="Matches"/>.</summary>
    public QueryOptions? ListQuery() => ListFilter() is { } filter ? new QueryOptions { Filter = filter } : null;

    private static void AddTerm(List<string> terms, string selector, string value)
    {
        // A value that would need escaping is simply not narrowed on: a wider reply is still correct.
        if (value.Any(c => c is '"' or '\\' || char.IsControl(c))) return;
        terms.Add($"{selector} == \"{value}\"");
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
