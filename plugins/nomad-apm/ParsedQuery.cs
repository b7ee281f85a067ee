using NomadAutoscaler.Nomad.Cluster;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>A parsed nomad-apm query.</summary>
internal abstract record ParsedQuery(string Text);

/// <summary><c>taskgroup_&lt;op&gt;_&lt;metric&gt;/&lt;group&gt;/&lt;job&gt;@&lt;namespace&gt;</c>.</summary>
internal sealed record TaskGroupQuery(string Text, string Operation, string Metric, string Group, string Job, string Namespace) : ParsedQuery(Text);

/// <summary><c>node_&lt;op&gt;_&lt;metric&gt;/&lt;key&gt;=&lt;value&gt;[,...]</c>; demand queries may add <c>node_cpu</c>/<c>node_memory</c>.</summary>
internal sealed record NodePoolQuery(string Text, string Operation, string Metric, NodePoolIdentifier Pool, long? NodeCpu, long? NodeMemory) : ParsedQuery(Text)
{
    /// <summary><c>node_units=true</c>: each usable node counts as the nodes of the query's size it holds, for targets
    /// that count capacity units (os-nova with several <c>flavor_names</c>).</summary>
    public bool NodeUnits { get; init; }
}
