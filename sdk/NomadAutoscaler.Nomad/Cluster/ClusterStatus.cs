using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Node pool readiness and counts, for cloud targets' Status (upstream's <c>IsPoolReady</c>).</summary>
public static class ClusterStatus
{
    /// <summary>Lists nodes and summarises the pool. Never throws for Nomad errors: they make the pool not ready.</summary>
    public static async Task<ClusterPoolStatus> GetPoolStatusAsync(NomadClient client, NodePoolIdentifier pool, NodeFilterOptions filter,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        IReadOnlyList<NodeListStub> nodes;
        try
        {
            nodes = (await client.ListNodesAsync(query: pool.ListQuery(), cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            logger.Hclog(LogLevel.Warning, "node pool status readiness check failed", ("error", ex.Message));
            return new ClusterPoolStatus { Ready = false, NotReadyReason = ex.Message };
        }

        return Summarise(nodes, pool, filter, logger);
    }

    /// <summary>Summarises an already fetched node list.</summary>
    public static ClusterPoolStatus Summarise(IReadOnlyList<NodeListStub> nodes, NodePoolIdentifier pool, NodeFilterOptions filter, ILogger? logger = null)
    {
        var members = nodes.Where(n => pool.Matches(n.NodeClass, n.Datacenter, n.NodePool)).ToList();
        var counts = members.GroupBy(NodePoolFilter.Classify).ToDictionary(g => g.Key, g => g.Count());
        int Count(NodePoolFilter.NodeState state) => counts.GetValueOrDefault(state);
        var status = new ClusterPoolStatus
        {
            ReadyNodes = Count(NodePoolFilter.NodeState.Ready),
            IneligibleNodes = Count(NodePoolFilter.NodeState.Ineligible),
            DrainingNodes = Count(NodePoolFilter.NodeState.Draining),
            InitializingNodes = Count(NodePoolFilter.NodeState.Initializing),
            DownNodes = Count(NodePoolFilter.NodeState.Gone),
        };
        try
        {
            return status with { Ready = true, UsableNodes = NodePoolFilter.Filter(members, pool, filter) };
        }
        catch (ClusterScaleException ex)
        {
            (logger ?? NullLogger.Instance).Hclog(LogLevel.Warning, "node pool status readiness check failed", ("error", ex.Message));
            return status with { Ready = false, NotReadyReason = ex.Message };
        }
    }
}
