namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Picks a pool's usable nodes out of a node list, as upstream's <c>FilterNodesWithOptions</c> does.</summary>
public static class NodePoolFilter
{
    private const int MaxReportedErrors = 10;

    /// <summary>Pool members that are ready, not draining, and eligible (or ineligible when
    /// <see cref="NodeFilterOptions.IgnoreIneligible"/>). Down and disconnected nodes are skipped.</summary>
    /// <exception cref="ClusterScaleException">A member is initializing or draining and the options do not skip it
    /// (up to ten such nodes are named, joined by <c>, </c>).</exception>
    public static IReadOnlyList<NodeListStub> Filter(IEnumerable<NodeListStub> nodes, NodePoolIdentifier pool, NodeFilterOptions options)
    {
        var result = new List<NodeListStub>();
        var errors = new List<string>();
        foreach (var node in nodes)
        {
            if (!pool.Matches(node.NodeClass, node.Datacenter, node.NodePool)) continue;
            switch (Classify(node))
            {
                case NodeState.Initializing:
                    if (!options.IgnoreInit) AddError(errors, $"node {node.ID} is initializing");
                    break;
                case NodeState.Draining:
                    if (!options.IgnoreDrain) AddError(errors, $"node {node.ID} is draining");
                    break;
                case NodeState.Gone:
                    break;
                case NodeState.Ineligible:
                    if (options.IgnoreIneligible) result.Add(node);
                    break;
                default:
                    result.Add(node);
                    break;
            }
        }

        return errors.Count > 0 ? throw new ClusterScaleException(string.Join(", ", errors)) : result;
    }

    internal enum NodeState
    {
        Ready,
        Ineligible,
        Initializing,
        Draining,
        Gone,
    }

    internal static NodeState Classify(NodeListStub node)
    {
        if (node.Status == "initializing") return NodeState.Initializing;
        if (node.Drain) return NodeState.Draining;
        if (node.Status != "ready") return NodeState.Gone;
        return node.SchedulingEligibility == "eligible" ? NodeState.Ready : NodeState.Ineligible;
    }

    private static void AddError(List<string> errors, string error)
    {
        if (errors.Count < MaxReportedErrors) errors.Add(error);
    }
}
