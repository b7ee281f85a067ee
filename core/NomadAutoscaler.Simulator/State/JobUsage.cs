namespace NomadAutoscaler.Simulator.State;

/// <summary>
/// Resource usage a workload imposes on one job. A fixed percentage applies to every running allocation; a
/// load is a total demand (MHz or MiB) spread over the running allocations, so scaling out lowers each share.
/// </summary>
internal sealed class JobUsage
{
    public double? CpuPercent { get; set; }
    public double? MemoryPercent { get; set; }
    public double? CpuLoadMhz { get; set; }
    public double? MemoryLoadMB { get; set; }
}
