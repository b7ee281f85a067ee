namespace NomadAutoscaler.Lab;

/// <summary>The clairvoyant bound: the fewest nodes that hold a set of wanted allocations, packed first-fit
/// decreasing on CPU and memory. First-fit decreasing is a packing anyone could achieve, so the bound is never
/// better than possible; for allocations of a few sizes it is also the optimum (or within one node of it).</summary>
internal static class CapacityBound
{
    /// <param name="demand">Each job group's wanted count and per-allocation CPU (MHz) and memory (MiB).</param>
    /// <param name="nodeCpu">Allocatable CPU of one node (MHz).</param>
    /// <param name="nodeMemory">Allocatable memory of one node (MiB).</param>
    /// <returns>The node count, or -1 when some allocation fits on no node at all.</returns>
    public static int Nodes(IEnumerable<(int Count, int Cpu, int Memory)> demand, int nodeCpu, int nodeMemory)
    {
        var items = demand
            .Where(d => d.Count > 0)
            .OrderByDescending(d => Math.Max((double)d.Cpu / nodeCpu, (double)d.Memory / nodeMemory))
            .ThenByDescending(d => d.Cpu)
            .ThenByDescending(d => d.Memory)
            .ToList();
        var free = new List<(int Cpu, int Memory)>();
        foreach (var (count, cpu, memory) in items)
        {
            if (cpu > nodeCpu || memory > nodeMemory) return -1;
            var start = 0;
            for (var placed = 0; placed < count; placed++)
            {
                // Allocations of one group are alike, so the search resumes where the last one fitted.
                var index = -1;
                for (var i = start; i < free.Count; i++)
                {
                    if (free[i].Cpu >= cpu && free[i].Memory >= memory)
                    {
                        index = i;
                        break;
                    }
                }

                if (index < 0)
                {
                    free.Add((nodeCpu, nodeMemory));
                    index = free.Count - 1;
                }

                free[index] = (free[index].Cpu - cpu, free[index].Memory - memory);
                start = index;
            }
        }

        return free.Count;
    }
}
