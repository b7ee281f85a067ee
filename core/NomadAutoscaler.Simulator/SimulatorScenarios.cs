using NomadAutoscaler.Simulator.Cloud;
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
    /// the cycle repeats every 180 s. (The node pool's scale-out is followed by a 1 m cooldown before it may scale in;
    /// 180 s leaves that scale-in a minute of evaluations before the next burst.)
    /// </summary>
    public const string DevWorkload = """
        # web idles, load climbs, then falls back: autoscaling out, then in.
        at 0s  job web load_cpu 400 load_mem 200
        at 10s job web load_cpu 3000 over 10s
        at 60s job web load_cpu 400 over 15s
        repeat 180s
        """;

    /// <summary>
    /// Three ready nodes (class <see cref="DevNodeClass"/>, 4000 MHz, 8 GiB, dc1, pool default) and a <c>web</c>
    /// service job (group and task <c>web</c>, 2 × 500 MHz / 256 MiB) whose <c>scaling</c> block runs target-value
    /// 70 on nomad-apm <c>avg_cpu</c> between 1 and 10, plus <see cref="DevWorkload"/>.
    /// </summary>
    public static SimulatorOptions Dev()
    {
        var options = new SimulatorOptions
        {
            Port = 4646,
            Workload = SimulatedWorkload.Parse(Combine(DevWorkload, DevPoolWorkload), "dev-scenario"),
            // Real clouds boot in a minute or two; 20 s lets a whole scale-out and scale-in of the pool play out in
            // about a minute and a half of watching, with the same ordering of events as a slow boot.
            Cloud = new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(20) },
        };
        for (var i = 1; i <= 3; i++)
        {
            options.Nodes.Add(new SimulatorNodeSpec { Name = $"sim-web-{i}", NodeClass = DevNodeClass, Cpu = 4000, MemoryMB = 8192 });
        }

        options.Jobs.Add(JobSpecs.Simple("web", count: 2, cpu: 500, memoryMB: 256, nodeClass: DevNodeClass, datacenter: "dc1", min: 1, max: 10, target: 70).ToJsonString());
        return options;
    }

    /// <summary>The pool name and node class of the <see cref="Dev"/> scenario's node pool on the simulated cloud (the
    /// mission's names).</summary>
    public const string DevPool = "nom-pool";

    /// <summary>The <see cref="DevPool"/> pool's workload, on the same 180 s cycle as <see cref="DevWorkload"/>: a steady
    /// batch job needs half a server; from 10 s to 90 s a burst of ten 1000 MHz allocations needs two servers more
    /// than the pool's one, then goes away.</summary>
    public const string DevPoolWorkload = """
        at 0s  job nom-steady type batch class nom-pool count 2 cpu 1000 mem 1024
        at 0s  job nom-burst type batch class nom-pool count 0 cpu 1000 mem 1024
        at 10s job nom-burst count 10
        at 90s job nom-burst count 0
        """;

    /// <summary>Starts the <see cref="Dev"/> scenario's pool at its minimum of one booted server of 4000 MHz / 8 GiB,
    /// as a pool that ran before the agent did.</summary>
    /// <param name="simulator">A simulator started with <see cref="Dev"/>'s options.</param>
    public static void StartDevPool(NomadSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var cloud = simulator.Cloud ?? throw new InvalidOperationException("the dev scenario's simulated cloud is not enabled");
        cloud.Create(new SimulatedPool { Name = DevPool, NodeClass = DevPool }, 1, booted: true);
    }

    /// <summary>The <c>pool_name</c> and node class of the OpenStack pool that <see cref="AddOpenStackPool"/> adds.</summary>
    public const string DevOpenStackPool = "dev-os-pool";

    /// <summary>The OpenStack pool's workload, on the same 180 s cycle as <see cref="DevWorkload"/>: a batch job constrained
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
        options.Workload = SimulatedWorkload.Parse(Combine(DevWorkload, DevPoolWorkload, DevOpenStackWorkload), "dev-scenario");
    }

    /// <summary>Splices the other workloads' lines in before the first one's <c>repeat</c>, so all share its cycle.</summary>
    private static string Combine(string repeating, params string[] others)
    {
        var lines = repeating.Split('\n').ToList();
        var repeat = lines.FindIndex(l => l.TrimStart().StartsWith("repeat ", StringComparison.Ordinal));
        lines.InsertRange(repeat, others.SelectMany(o => o.Split('\n')));
        return string.Join('\n', lines);
    }
}
