namespace NomadAutoscaler.Simulator;

/// <summary>
/// How to start a <see cref="NomadSimulator"/>: the listener, the agent identity it reports, initial cluster
/// content, the workload schedule, timing of the simulated clients, and the optional cloud-join hook.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>TCP port; 0 picks a free one (see <see cref="NomadSimulator.Address"/>).</summary>
    public int Port { get; set; }

    /// <summary>Loopback address to bind (<c>127.0.0.1</c> or <c>::1</c>); other addresses are refused.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Also serve the API on this unix socket, as a Nomad client serves <c>${NOMAD_SECRETS_DIR}/api.sock</c>
    /// to a task with an <c>identity</c> block, as well as on the TCP listener.</summary>
    public string? UnixSocketPath { get; set; }

    public string Region { get; set; } = "global";
    public string Datacenter { get; set; } = "dc1";

    /// <summary>The agent's node name (<c>/v1/agent/self</c>, the metrics <c>host</c> label).</summary>
    public string NodeName { get; set; } = "nomad-sim";

    /// <summary>The answer of <c>/v1/status/leader</c>.</summary>
    public string LeaderAddress { get; set; } = "127.0.0.1:4647";

    /// <summary>Turns on ACL mode: every API call must carry this secret (<c>X-Nomad-Token</c> or
    /// <c>Authorization: Bearer</c>), else 403 as Nomad answers.</summary>
    public string? ManagementToken { get; set; }

    /// <summary>Tokens with less than management rights: secret → the Nomad ACL policy (HCL) it holds. Each request
    /// with such a token is checked against the capabilities its endpoint needs; 403 <c>Permission denied</c> if
    /// missing. Setting any turns on ACL mode, like <see cref="ManagementToken"/>.</summary>
    public IDictionary<string, string> AclTokens { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>telemetry { prometheus_metrics }</c>: when false, <c>?format=prometheus</c> answers 415.</summary>
    public bool PrometheusMetrics { get; set; } = true;

    /// <summary><c>telemetry { disable_hostname }</c>: drop the <c>host</c> metrics label.</summary>
    public bool DisableHostname { get; set; }

    /// <summary>Client nodes registered at start.</summary>
    public IList<SimulatorNodeSpec> Nodes { get; } = new List<SimulatorNodeSpec>();

    /// <summary>Jobs registered at start, in the Nomad API JSON form (<c>{"Job": {...}}</c> or the bare job).</summary>
    public IList<string> Jobs { get; } = new List<string>();

    /// <summary>A workload schedule file (see <see cref="SimulatedWorkload"/>); loaded at start.</summary>
    public string? WorkloadFile { get; set; }

    /// <summary>An already parsed workload; used when <see cref="WorkloadFile"/> is not set.</summary>
    public SimulatedWorkload? Workload { get; set; }

    /// <summary>How long a placed allocation stays <c>pending</c> before it runs.</summary>
    public TimeSpan AllocStartDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a stopped allocation keeps running before the client reports it <c>complete</c>.</summary>
    public TimeSpan AllocStopDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a node registered as <c>initializing</c> takes to become <c>ready</c>.</summary>
    public TimeSpan NodeInitializeDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often time-driven progress (starts, stops, drains, lock expiry, workload) is applied.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>When set, object IDs and blocking-query jitter come from this seed, so the same inputs give the same
    /// cluster byte for byte (the scaling lab needs it); when null they are random, as Nomad's are.</summary>
    public int? Seed { get; set; }

    /// <summary>Runs the wake-up of blocked API readers after each write; null wakes them on the thread pool. The
    /// scaling lab queues them on its own loop, so that a simulated day runs on one thread.</summary>
    public Action<Action>? Dispatch { get; set; }

    /// <summary>Finished allocations older than this are garbage-collected, as Nomad's GC would; null keeps them.</summary>
    public TimeSpan? AllocationGcAge { get; set; }

    /// <summary>The server's <c>job_max_count</c>.</summary>
    public long JobMaxCount { get; set; } = 50000;

    /// <summary>Where the cloud-join hook reads servers from; null disables the hook.</summary>
    public ICloudJoinSource? CloudJoinSource { get; set; }

    /// <summary>Which cloud servers become Nomad nodes, and with what node class and resources.</summary>
    public IList<CloudJoinPool> CloudJoinPools { get; } = new List<CloudJoinPool>();

    public TimeSpan CloudJoinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Turns on the simulated cloud for node pools (<see cref="NomadSimulator.Cloud"/>, and the
    /// <c>/_sim/cloud/</c> endpoints); null leaves it off.</summary>
    public Cloud.SimulatedCloudOptions? Cloud { get; set; }

    /// <summary>Where the simulator reports what happens (scale requests, nodes joining and leaving, workload
    /// problems); null keeps it quiet. Tokens and <see cref="OpenStackEnvironment"/> values are never logged.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary><c>OS_*</c> settings passed through to a cloud-join source (the Nova poller). Values may be
    /// secrets: the simulator never logs or serves them.</summary>
    public IDictionary<string, string> OpenStackEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
