using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>Task group queries: usage of the group's running allocations from their client stats.</summary>
internal static class TaskGroupMetrics
{
    public static async Task<double> QueryAsync(NomadClient client, TaskGroupQuery query, CancellationToken cancellationToken)
    {
        var options = new QueryOptions { Namespace = query.Namespace };
        IReadOnlyList<AllocationListStub> allocations;
        try
        {
            allocations = (await client.GetJobAllocationsAsync(query.Job, all: false, options, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            throw new NomadApmException($"failed to get alloc listing for job: {ex.Message}", ex);
        }

        var running = allocations.Where(a => a.ClientStatus == "running" && a.TaskGroup == query.Group).ToList();
        long allocatedCpu = 0, allocatedMemory = 0;
        if (query.Metric is "cpu-allocated" or "memory-allocated")
        {
            var cpu = query.Metric == "cpu-allocated";
            var job = (await client.GetJobAsync(query.Job, options, cancellationToken).ConfigureAwait(false)).Value;
            var group = job.TaskGroups?.FirstOrDefault(g => g.Name == query.Group)
                ?? throw new NomadApmException($"failed to get total allocated {(cpu ? "CPU" : "memory")} for taskgroup: task group \"{query.Group}\" not found in job \"{query.Job}\"");
            foreach (var task in group.Tasks ?? [])
            {
                allocatedCpu += task.Resources?.CPU ?? 0;
                allocatedMemory += task.Resources?.MemoryMB ?? 0;
            }
        }

        var values = new List<double>();
        foreach (var allocation in running)
        {
            AllocationResourceUsage stats;
            try
            {
                stats = await client.GetAllocationStatsAsync(allocation.ID, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                throw new NomadApmException($"failed to get alloc stats: {ex.Message}", ex);
            }

            values.Add(Value(query.Metric, stats.ResourceUsage, allocatedCpu, allocatedMemory));
        }

        if (values.Count == 0) throw new NomadApmException($"metric not found: {query.Text}");
        return Aggregate(query.Operation, values);
    }

    internal static double Value(string metric, ResourceUsage? usage, long allocatedCpu, long allocatedMemory) => metric switch
    {
        "cpu" => usage?.CpuStats?.Percent ?? 0,
        "cpu-allocated" => allocatedCpu > 0 ? (usage?.CpuStats?.TotalTicks ?? 0) / allocatedCpu * 100 : 0,
        "memory" => usage?.MemoryStats?.Usage ?? 0,
        // Upstream divides the byte count as an integer before the percentage, so partial MiB are dropped.
        "memory-allocated" => allocatedMemory > 0 ? (double)((usage?.MemoryStats?.Usage ?? 0) / 1024 / 1024) / allocatedMemory * 100 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    internal static double Aggregate(string operation, IReadOnlyList<double> values)
    {
        switch (operation)
        {
            case "sum":
                return values.Sum();
            case "avg":
                return values.Sum() / values.Count;
            case "max":
                // Upstream starts from the smallest positive double, so all-zero values give 4.9e-324, not 0.
                var max = double.Epsilon;
                foreach (var v in values) max = Math.Max(max, v);
                return max;
            case "min":
                var min = double.MaxValue;
                foreach (var v in values) min = Math.Min(min, v);
                return min;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation));
        }
    }
}
