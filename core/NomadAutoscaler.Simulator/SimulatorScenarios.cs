using NomadAutoscaler.Simulator.Workload;

namespace NomadAutoscaler.Simulator;

/// <summary>Ready-made simulator setups.</summary>
public static class SimulatorScenarios
{
    /// <summary>The node class of the <see cref="Dev"/> scenario's nodes.</summary>
    public const string DevNodeClass = "sim-web";

    /// <summary>
    /// The <see cref="Dev"/> workload: the <c>web</c> job idles at 400 MHz, climbs to 3000 MHz between 10 s and
    /// 20 s (a target-value policy at 70% avg CPU wants about 9 allocations of 500 MHz), and falls back from 60 s to 75 s;
    /// the cycle repeats every 120 s.
    /// </summary>
    public const string DevWorkload = """
        # web idles, load climbs, then falls back: autoscaling out, then in.
        at 0s  job web load_cpu 400 load_mem 200
        at 10s job web load_cpu 3000 over 10s
        at 60s job web load_cpu 400 over 15s
        repeat 120s
        """;

    /// <summary>
    /// Three ready nodes (class <see cref="DevNodeClass"/>, 4000 MHz, 8 GiB, dc1, pool default) and a <c>web</c>
    /// service job (group and task <c>web</c>, 2 × 500 MHz / 256 MiB) whose <c>scaling</c> block runs target-value
    /// 70 on nomad-apm <c>avg_cpu</c> between 1 and 10, plus <see cref="DevWorkload"/>.
    /// </summary>
    public static SimulatorOptions Dev()
    {
        var options = new SimulatorOptions { Port = 4646, Workload = SimulatedWorkload.Parse(DevWorkload, "dev-scenario") };
        for (var i = 1; i <= 3; i++)
        {
            options.Nodes.Add(new SimulatorNodeSpec { Name = $"sim-web-{i}", NodeClass = DevNodeClass, Cpu = 4000, MemoryMB = 8192 });
        }

        options.Jobs.Add(JobSpecs.Simple("web", count: 2, cpu: 500, memoryMB: 256, nodeClass: DevNodeClass, datacenter: "dc1", min: 1, max: 10, target: 70).ToJsonString());
        return options;
    }

    /// <summary>The <c>pool_name</c> and node class of the OpenStack pool that <see cref="AddOpenStackPool"/> adds.</summary>
    public const string DevOpenStackPool = "dev-os-pool";

    /// <summary>The OpenStack pool's workload, on the same 120 s cycle as <see cref="DevWorkload"/>: a batch job constrained
    /// to the pool runs one 1000 MHz allocation at rest and six from 20 s to 80 s. The lines repeat the whole job so that
    /// each reads on its own (a later <c>job</c> line needs only what changes).</summary>
    public const string DevOpenStackWorkload = """
        at 0s  job dev-os-batch count 1 cpu 1000 mem 512 class dev-os-pool
        at 20s job dev-os-batch count 6 cpu 1000 mem 512 class dev-os-pool
        at 80s job dev-os-batch count 1 cpu 1000 mem 512 class dev-os-pool
        """;

    /// <summary>
    /// Joins a real OpenStack to a <see cref="Dev"/> cluster: every ACTIVE Nova server tagged
    /// <c>na_pool:dev-os-pool</c> (what os-nova creates for that pool) becomes a 4000 MHz / 8 GiB node of class
    /// <see cref="DevOpenStackPool"/>, and <see cref="DevOpenStackWorkload"/> loads that class.
    /// </summary>
    /// <param name="options">Options from <see cref="Dev"/>.</param>
    /// <param name="openStackEnvironment"><c>OS_*</c> settings for the Nova poller (never logged).</param>
    public static void AddOpenStackPool(SimulatorOptions options, IReadOnlyDictionary<string, string> openStackEnvironment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openStackEnvironment);
        options.CloudJoinPools.Add(new CloudJoinPool { PoolName = DevOpenStackPool, NodeClass = DevOpenStackPool, Cpu = 4000, MemoryMB = 8192 });
        foreach (var (key, value) in openStackEnvironment) options.OpenStackEnvironment[key] = value;
        var lines = DevWorkload.Split('\n').ToList();
        var repeat = lines.FindIndex(l => l.TrimStart().StartsWith("repeat ", StringComparison.Ordinal));
        lines.InsertRange(repeat, DevOpenStackWorkload.Split('\n'));
        options.Workload = SimulatedWorkload.Parse(string.Join('\n', lines), "dev-scenario");
    }
}
