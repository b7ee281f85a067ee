namespace NomadAutoscaler.Simulator.State;

internal sealed partial class ClusterState
{
    /// <summary>What an idle task reports when no workload says otherwise.</summary>
    private const double IdleCpuPercent = 2.0;
    private const double IdleMemoryPercent = 20.0;

    public JobUsage UsageFor(string ns, string jobId)
    {
        if (!Usage.TryGetValue((ns, jobId), out var usage))
        {
            usage = new JobUsage();
            Usage[(ns, jobId)] = usage;
        }

        return usage;
    }

    /// <summary>CPU percent (as <c>CpuStats.Percent</c>) and memory bytes (as <c>MemoryStats.Usage</c>) of one allocation.</summary>
    public (double CpuPercent, double TotalTicks, ulong MemoryBytes) AllocUsage(SimAllocation alloc)
    {
        if (alloc.ClientStatus != ClientStatus.Running)
        {
            return (0, 0, 0);
        }

        var usage = Usage.GetValueOrDefault((alloc.Namespace, alloc.JobID));
        var running = Math.Max(1, Allocations.Values.Count(a =>
            a.Namespace == alloc.Namespace && a.JobID == alloc.JobID && a.TaskGroup == alloc.TaskGroup && a.ClientStatus == ClientStatus.Running));
        var cpuMhz = alloc.Cpu * IdleCpuPercent / 100;
        if (usage?.CpuLoadMhz is { } load)
        {
            cpuMhz = load / running;
        }
        else if (usage?.CpuPercent is { } percent)
        {
            cpuMhz = alloc.Cpu * percent / 100;
        }

        var memoryMB = alloc.MemoryMB * IdleMemoryPercent / 100;
        if (usage?.MemoryLoadMB is { } memLoad)
        {
            memoryMB = memLoad / running;
        }
        else if (usage?.MemoryPercent is { } memPercent)
        {
            memoryMB = alloc.MemoryMB * memPercent / 100;
        }

        var cpuPercent = alloc.Cpu == 0 ? 0 : cpuMhz * 100 / alloc.Cpu;
        return (cpuPercent, cpuMhz, (ulong)Math.Max(0, memoryMB * 1024 * 1024));
    }
}
