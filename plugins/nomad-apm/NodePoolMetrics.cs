using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>Node pool queries: allocated share of the pool, and (beyond upstream) demand of unplaced allocations.</summary>
internal static class NodePoolMetrics
{
    /// <summary>The pool's usable nodes, with upstream's error texts.</summary>
    public static async Task<IReadOnlyList<NodeListStub>> PoolNodesAsync(NomadClient client, NodePoolIdentifier pool, NodeFilterOptions filter, CancellationToken cancellationToken)
    {
        var nodes = (await client.ListNodesAsync(query: pool.ListQuery(), cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        try
        {
            return NodePoolFilter.Filter(nodes, pool, filter);
        }
        catch (ClusterScaleException ex)
        {
            throw new NomadApmException($"failed to identify nodes within pool: {ex.Message}", ex);
        }
    }

    public static async Task<double> PercentageAllocatedAsync(NomadClient client, NodePoolQuery query, NodeFilterOptions filter, CancellationToken cancellationToken)
    {
        var nodes = await PoolNodesAsync(client, query.Pool, filter, cancellationToken).ConfigureAwait(false);
        if (nodes.Count == 0) throw new NomadApmException("no nodes identified within pool");
        var (allocatableCpu, allocatableMemory, allocatedCpu, allocatedMemory) = (0L, 0L, 0L, 0L);
        foreach (var stub in nodes)
        {
            var capacity = await AllocatableAsync(client, stub.ID, cancellationToken).ConfigureAwait(false);
            allocatableCpu += capacity.Cpu;
            allocatableMemory += capacity.Memory;
            var allocations = (await client.GetNodeAllocationsAsync(stub.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var (cpu, memory) = Allocated(allocations);
            allocatedCpu += cpu;
            allocatedMemory += memory;
        }

        return query.Metric == "cpu"
            ? allocatableCpu == 0 ? throw new NomadApmException("zero allocatable cpu found in pool") : allocatedCpu * 100.0 / allocatableCpu
            : allocatableMemory == 0 ? throw new NomadApmException("zero allocatable memory found in pool") : allocatedMemory * 100.0 / allocatableMemory;
    }

    /// <summary>Total resources minus reserved, from <c>GET /v1/node/:id</c>.</summary>
    public static async Task<(long Cpu, long Memory)> AllocatableAsync(NomadClient client, string nodeId, CancellationToken cancellationToken)
    {
        var node = (await client.GetNodeAsync(nodeId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        if (node.NodeResources?.Cpu is null || node.NodeResources.Memory is null) throw new NomadApmException("node resources are incomplete");
        return (node.NodeResources.Cpu.CpuShares - (node.ReservedResources?.Cpu?.CpuShares ?? 0),
            node.NodeResources.Memory.MemoryMB - (node.ReservedResources?.Memory?.MemoryMB ?? 0));
    }

    /// <summary>Resources of allocations that still hold their place: desired <c>run</c> and not client-terminal
    /// (so pending allocations count).</summary>
    internal static (long Cpu, long Memory) Allocated(IEnumerable<Allocation> allocations)
    {
        long cpu = 0, memory = 0;
        foreach (var allocation in allocations)
        {
            if (allocation.DesiredStatus != "run" || AllocationStatus.IsClientTerminal(allocation.ClientStatus)) continue;
            cpu += allocation.Resources?.CPU ?? 0;
            memory += allocation.Resources?.MemoryMB ?? 0;
        }

        return (cpu, memory);
    }
}
