using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>The node selector strategies of upstream's scaleutils.</summary>
public static class NodeSelector
{
    /// <summary>The default strategy.</summary>
    public const NodeSelectorStrategy DefaultStrategy = NodeSelectorStrategy.LeastBusy;

    /// <summary>Parses a <c>node_selector_strategy</c> value; empty gives the default.</summary>
    /// <exception cref="PluginConfigException"><c>unsupported node selector strategy: &lt;v&gt;</c>.</exception>
    public static NodeSelectorStrategy ParseStrategy(string? value) => value switch
    {
        null or "" => DefaultStrategy,
        "least_busy" => NodeSelectorStrategy.LeastBusy,
        "newest_create_index" => NodeSelectorStrategy.NewestCreateIndex,
        "oldest_create_index" => NodeSelectorStrategy.OldestCreateIndex,
        "empty" => NodeSelectorStrategy.Empty,
        "empty_ignore_system" => NodeSelectorStrategy.EmptyIgnoreSystem,
        _ => throw new PluginConfigException(ClusterConfigKeys.NodeSelectorStrategy, $"unsupported node selector strategy: {value}"),
    };

    /// <summary>The config spelling of a strategy, e.g. <c>least_busy</c>.</summary>
    public static string Name(NodeSelectorStrategy strategy) => strategy switch
    {
        NodeSelectorStrategy.LeastBusy => "least_busy",
        NodeSelectorStrategy.NewestCreateIndex => "newest_create_index",
        NodeSelectorStrategy.OldestCreateIndex => "oldest_create_index",
        NodeSelectorStrategy.Empty => "empty",
        NodeSelectorStrategy.EmptyIgnoreSystem => "empty_ignore_system",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };

    /// <summary>Selects up to <paramref name="count"/> nodes.</summary>
    /// <param name="client">Reads node allocations (and nodes whose stub lacks resources).</param>
    /// <param name="candidates">Candidates sorted by <c>CreateIndex</c>, newest first (as <see cref="NomadClient.ListNodesAsync"/> returns them).</param>
    /// <param name="count">How many to select.</param>
    /// <param name="strategy">The strategy.</param>
    /// <param name="logger">Receives API errors that made a strategy skip nodes.</param>
    /// <param name="cancellationToken">Cancels the selection.</param>
    /// <returns>The selected nodes in selection order; fewer than asked (possibly none) when the strategy finds fewer.</returns>
    public static async Task<IReadOnlyList<NodeListStub>> SelectAsync(NomadClient client, IReadOnlyList<NodeListStub> candidates, int count,
        NodeSelectorStrategy strategy, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        if (count <= 0 || candidates.Count == 0) return [];
        return strategy switch
        {
            NodeSelectorStrategy.NewestCreateIndex => candidates.Take(count).ToList(),
            // The candidates are newest first, so the oldest are at the end; return them oldest first.
            NodeSelectorStrategy.OldestCreateIndex => candidates.Reverse().Take(count).ToList(),
            NodeSelectorStrategy.Empty => await SelectEmptyAsync(client, candidates, count, ignoreSystem: false, logger, cancellationToken).ConfigureAwait(false),
            NodeSelectorStrategy.EmptyIgnoreSystem => await SelectEmptyAsync(client, candidates, count, ignoreSystem: true, logger, cancellationToken).ConfigureAwait(false),
            _ => await SelectLeastBusyAsync(client, candidates, count, logger, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<IReadOnlyList<NodeListStub>> SelectEmptyAsync(NomadClient client, IReadOnlyList<NodeListStub> candidates, int count,
        bool ignoreSystem, ILogger logger, CancellationToken cancellationToken)
    {
        var selected = new List<NodeListStub>();
        foreach (var node in candidates)
        {
            if (selected.Count >= count) break;
            IReadOnlyList<Allocation> allocations;
            try
            {
                allocations = (await client.GetNodeAllocationsAsync(node.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                // A node whose allocations cannot be read is not known to be empty.
                logger.Hclog(LogLevel.Warning, "failed to read node allocations, treating node as not empty", ("node_id", node.ID), ("error", ex.Message));
                continue;
            }

            if (IsEmpty(allocations, ignoreSystem)) selected.Add(node);
        }

        return selected;
    }

    internal static bool IsEmpty(IEnumerable<Allocation> allocations, bool ignoreSystem)
        => allocations.All(a => a.IsTerminal || (ignoreSystem && a.Job?.Type == "system"));

    private static async Task<IReadOnlyList<NodeListStub>> SelectLeastBusyAsync(NomadClient client, IReadOnlyList<NodeListStub> candidates, int count,
        ILogger logger, CancellationToken cancellationToken)
    {
        var scored = new List<(NodeListStub Node, long Score)>();
        try
        {
            foreach (var node in candidates)
            {
                NodeResources? total = node.NodeResources;
                NodeReservedResources? reserved = node.ReservedResources;
                if (total is null)
                {
                    var full = (await client.GetNodeAsync(node.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                    total = full.NodeResources;
                    reserved = full.ReservedResources;
                }

                var allocations = (await client.GetNodeAllocationsAsync(node.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                scored.Add((node, LeastBusyScore(total, reserved, allocations)));
            }
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            // Upstream selects nothing when any read fails, rather than ranking on partial data.
            logger.Hclog(LogLevel.Error, "failed to compute node utilisation for least_busy selection", ("error", ex.Message));
            return [];
        }

        return scored.OrderBy(s => s.Score).Take(count).Select(s => s.Node).ToList();
    }

    /// <summary>ceil((mem% + cpu%) / 2), where each percentage is ceil(Σ running allocations × 100 / allocatable).
    /// A node with nothing allocatable counts as fully busy.</summary>
    internal static long LeastBusyScore(NodeResources? total, NodeReservedResources? reserved, IEnumerable<Allocation> allocations)
    {
        long cpu = 0, memory = 0;
        foreach (var allocation in allocations)
        {
            if (allocation.ClientStatus != "running") continue;
            cpu += allocation.Resources?.CPU ?? 0;
            memory += allocation.Resources?.MemoryMB ?? 0;
        }

        var allocatableCpu = (total?.Cpu?.CpuShares ?? 0) - (reserved?.Cpu?.CpuShares ?? 0);
        var allocatableMemory = (total?.Memory?.MemoryMB ?? 0) - (reserved?.Memory?.MemoryMB ?? 0);
        var cpuPercent = allocatableCpu > 0 ? (long)Math.Ceiling(cpu * 100.0 / allocatableCpu) : 100;
        var memoryPercent = allocatableMemory > 0 ? (long)Math.Ceiling(memory * 100.0 / allocatableMemory) : 100;
        return (long)Math.Ceiling((cpuPercent + memoryPercent) / 2.0);
    }
}
