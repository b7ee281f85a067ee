using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>Demand queries: unplaced (queued) allocations that could run in a pool, and how many nodes the pool
/// needs to hold them. They work on an empty pool, so a pool can scale up from zero.</summary>
internal static class PoolDemand
{
    /// <summary>One queued allocation's size.</summary>
    internal readonly record struct Item(long Cpu, long Memory);

    /// <summary>What a pool node looks like, for constraint checks; null values are unknown (assumed to match).</summary>
    internal sealed record PoolShape(string? NodeClass, string? Datacenter, string? NodePool);

    public static async Task<double> QueryAsync(NomadClient client, NodePoolQuery query, NodeFilterOptions filter, NomadApmOptions options,
        ILogger logger, CancellationToken cancellationToken)
    {
        var nodes = await NodePoolMetrics.PoolNodesAsync(client, query.Pool, filter, cancellationToken).ConfigureAwait(false);
        var shape = Shape(query.Pool, nodes);
        var items = await QueuedItemsAsync(client, shape, logger, cancellationToken).ConfigureAwait(false);
        if (query.Operation == ApmQueryParser.PendingAllocations) return items.Count;

        // Each node's allocatable size is read once, and only when the node size or node_units needs it.
        IReadOnlyList<(long Cpu, long Memory)> allocatable = nodes.Count > 0 && (query.NodeUnits || query.NodeCpu is null || query.NodeMemory is null)
            ? await AllocatableAsync(client, nodes, cancellationToken).ConfigureAwait(false)
            : [];
        var (cpu, memory) = Capacity(query, allocatable, options);
        var useCpu = query.Metric is "cpu" or "resources";
        var useMemory = query.Metric is "memory" or "resources";
        var fitting = new List<Item>();
        foreach (var item in items)
        {
            if ((useCpu && item.Cpu > cpu) || (useMemory && item.Memory > memory))
            {
                // Adding nodes of this size would never place it; counting it would grow the pool forever.
                logger.Hclog(LogLevel.Warning, "queued allocation does not fit a pool node, ignoring it",
                    ("cpu", item.Cpu), ("memory", item.Memory), ("node_cpu", cpu), ("node_memory", memory));
                continue;
            }

            fitting.Add(new Item(useCpu ? item.Cpu : 0, useMemory ? item.Memory : 0));
        }

        var cpuCapacity = useCpu ? cpu : long.MaxValue;
        var memoryCapacity = useMemory ? memory : long.MaxValue;
        if (query.Operation == ApmQueryParser.RequiredNodes || fitting.Count > 0)
        {
            var have = query.NodeUnits ? allocatable.Sum(a => UnitsOf(a.Cpu, a.Memory, cpuCapacity, memoryCapacity)) : nodes.Count;
            return have + BinsNeeded(fitting, cpuCapacity, memoryCapacity);
        }

        // desired-nodes with nothing queued: the fewest nodes that would hold what runs in the pool now, so the pool
        // can shrink to it (scale-in then removes nodes that are empty or whose work fits elsewhere).
        var placed = new List<Item>();
        foreach (var node in nodes)
        {
            var allocations = (await client.GetNodeAllocationsAsync(node.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            foreach (var allocation in allocations)
            {
                if (allocation.DesiredStatus != "run" || AllocationStatus.IsClientTerminal(allocation.ClientStatus) || allocation.Job?.Type is "system" or "sysbatch") continue;
                placed.Add(new Item(useCpu ? allocation.Resources?.CPU ?? 0 : 0, useMemory ? allocation.Resources?.MemoryMB ?? 0 : 0));
            }
        }

        return BinsNeeded(placed, cpuCapacity, memoryCapacity);
    }

    /// <summary>What a node of the pool counts as with <c>node_units</c>: the nodes of the query's size it holds
    /// (rounded, since Nomad reserves a little of every node; at least one), the scarcer resource deciding. A pool of
    /// bigger fallback servers then reads as the capacity it has, as a target counting capacity units counts it.</summary>
    internal static long UnitsOf(long cpu, long memory, long cpuCapacity, long memoryCapacity)
    {
        var ratio = Math.Min(cpuCapacity == long.MaxValue ? double.MaxValue : (double)cpu / cpuCapacity,
            memoryCapacity == long.MaxValue ? double.MaxValue : (double)memory / memoryCapacity);
        return ratio == double.MaxValue ? 1 : Math.Max(1, (long)Math.Round(ratio, MidpointRounding.AwayFromZero));
    }

    /// <summary>First-fit decreasing: the number of nodes of the given size that hold every item.</summary>
    internal static int BinsNeeded(IReadOnlyList<Item> items, long cpuCapacity, long memoryCapacity)
    {
        var bins = new List<(long Cpu, long Memory)>();
        var ordered = items.OrderByDescending(i => Math.Max(Share(i.Cpu, cpuCapacity), Share(i.Memory, memoryCapacity)));
        foreach (var item in ordered)
        {
            var placed = false;
            for (var b = 0; b < bins.Count && !placed; b++)
            {
                if (bins[b].Cpu + item.Cpu > cpuCapacity || bins[b].Memory + item.Memory > memoryCapacity) continue;
                bins[b] = (bins[b].Cpu + item.Cpu, bins[b].Memory + item.Memory);
                placed = true;
            }

            if (!placed) bins.Add((item.Cpu, item.Memory));
        }

        return bins.Count;
    }

    private static double Share(long used, long capacity) => capacity == long.MaxValue ? 0 : (double)used / capacity;

    internal static PoolShape Shape(NodePoolIdentifier pool, IReadOnlyList<NodeListStub> nodes)
    {
        var sample = nodes.Count > 0 ? nodes[0] : null;
        var nodeClass = pool.NodeClass is null ? sample?.NodeClass
            : pool.NodeClass == ClusterConfigKeys.DefaultPoolClass ? "" : pool.NodeClass;
        // A node joins Nomad's "default" node pool unless configured otherwise, so that is the best guess for an empty pool.
        return new PoolShape(nodeClass, pool.Datacenter ?? sample?.Datacenter, pool.NodePool ?? sample?.NodePool ?? "default");
    }

    private static async Task<IReadOnlyList<(long Cpu, long Memory)>> AllocatableAsync(NomadClient client, IReadOnlyList<NodeListStub> nodes,
        CancellationToken cancellationToken)
    {
        var sizes = new List<(long Cpu, long Memory)>(nodes.Count);
        foreach (var node in nodes) sizes.Add(await NodePoolMetrics.AllocatableAsync(client, node.ID, cancellationToken).ConfigureAwait(false));
        return sizes;
    }

    private static (long Cpu, long Memory) Capacity(NodePoolQuery query, IReadOnlyList<(long Cpu, long Memory)> allocatable, NomadApmOptions options)
    {
        long? cpu = query.NodeCpu, memory = query.NodeMemory;
        if (allocatable.Count > 0)
        {
            // Pools are normally uniform; the smallest node is the safe size to plan with.
            cpu ??= allocatable.Min(a => a.Cpu);
            memory ??= allocatable.Min(a => a.Memory);
        }

        cpu ??= options.NodeCpu;
        memory ??= options.NodeMemory;
        var needCpu = query.Metric is "cpu" or "resources";
        var needMemory = query.Metric is "memory" or "resources";
        if ((needCpu && cpu is null or <= 0) || (needMemory && memory is null or <= 0))
            throw new NomadApmException($"cannot size nodes of pool {query.Pool}: it has no usable node; give node_cpu and node_memory in the query or in the apm block's config");
        return (cpu ?? 0, memory ?? 0);
    }

    private static async Task<List<Item>> QueuedItemsAsync(NomadClient client, PoolShape shape, ILogger logger, CancellationToken cancellationToken)
    {
        var jobs = (await client.ListJobsAsync(new QueryOptions { Namespace = "*" }, cancellationToken).ConfigureAwait(false)).Value;
        var items = new List<Item>();
        foreach (var stub in jobs)
        {
            if (stub.Stop || stub.Type is "system" or "sysbatch") continue;
            var queued = stub.JobSummary?.Summary?.Where(s => s.Value.Queued > 0).ToDictionary(s => s.Key, s => s.Value.Queued);
            if (queued is null || queued.Count == 0) continue;
            Job job;
            try
            {
                job = (await client.GetJobAsync(stub.ID, new QueryOptions { Namespace = stub.Namespace }, cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (NomadNotFoundException)
            {
                continue;
            }

            if (!JobMayUsePool(job, shape)) continue;
            foreach (var group in job.TaskGroups ?? [])
            {
                if (!queued.TryGetValue(group.Name, out var count) || !GroupMayUsePool(group, shape)) continue;
                var cpu = group.Tasks?.Sum(t => (long)(t.Resources?.CPU ?? 0)) ?? 0;
                var memory = group.Tasks?.Sum(t => (long)(t.Resources?.MemoryMB ?? 0)) ?? 0;
                logger.Hclog(LogLevel.Debug, "queued allocations count towards pool demand",
                    ("job", job.ID), ("namespace", job.Namespace), ("group", group.Name), ("queued", count));
                for (var i = 0; i < count; i++) items.Add(new Item(cpu, memory));
            }
        }

        return items;
    }

    internal static bool JobMayUsePool(Job job, PoolShape shape)
    {
        var jobPool = string.IsNullOrEmpty(job.NodePool) ? "default" : job.NodePool;
        if (shape.NodePool is not null && jobPool != "all" && jobPool != shape.NodePool) return false;
        var datacenters = job.Datacenters is { Count: > 0 } dcs ? dcs : ["*"];
        if (shape.Datacenter is not null && !datacenters.Any(dc => GlobMatches(dc, shape.Datacenter))) return false;
        return ConstraintsHold(job.Constraints, shape);
    }

    internal static bool GroupMayUsePool(TaskGroup group, PoolShape shape)
        => ConstraintsHold(group.Constraints, shape) && (group.Tasks ?? []).All(t => ConstraintsHold(t.Constraints, shape));

    private static bool ConstraintsHold(IReadOnlyList<Constraint>? constraints, PoolShape shape)
        => constraints is null || constraints.All(c => ConstraintHolds(c, shape));

    /// <summary>Checks constraints on node class, datacenter and pool; anything else (attributes, meta, unknown
    /// operators) is assumed to hold, since over-counting demand only risks an extra node.</summary>
    internal static bool ConstraintHolds(Constraint constraint, PoolShape shape)
    {
        var value = NodeValue(constraint.LTarget, shape);
        var other = constraint.RTarget;
        if (value is null)
        {
            value = NodeValue(constraint.RTarget, shape);
            other = constraint.LTarget;
            if (value is null) return true;
        }

        return constraint.Operand switch
        {
            "" or "=" or "==" or "is" => value == other,
            "!=" or "not" => value != other,
            "regexp" => SafeRegex(other, value),
            "set_contains" => other.Split(',').Select(s => s.Trim()).All(s => value.Split(',').Select(v => v.Trim()).Contains(s)),
            "set_contains_any" => other.Split(',').Select(s => s.Trim()).Any(s => value.Split(',').Select(v => v.Trim()).Contains(s)),
            _ => true,
        };
    }

    private static string? NodeValue(string target, PoolShape shape) => target switch
    {
        "${node.class}" => shape.NodeClass,
        "${node.datacenter}" => shape.Datacenter,
        "${node.pool}" => shape.NodePool,
        _ => null,
    };

    private static bool SafeRegex(string pattern, string value)
    {
        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }

    /// <summary>Nomad datacenter globs: <c>*</c> matches any run of characters.</summary>
    internal static bool GlobMatches(string pattern, string value)
        => Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.None, TimeSpan.FromMilliseconds(100));
}
