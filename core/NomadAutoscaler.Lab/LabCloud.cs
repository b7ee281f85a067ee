using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Agent;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Plugins.InProcess;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.SimCloud;
using NomadAutoscaler.Simulator;
using NomadAutoscaler.Simulator.Cloud;

namespace NomadAutoscaler.Lab;

/// <summary>The simulated cloud behind every cloud target of a lab run. One in-process <c>sim-cloud</c> plugin plays
/// them all: each policy's own target block is narrowed to the keys the simulated cloud understands (pool, class,
/// and the SDK's scale-in keys), and its nodes get the lab's node size. os-nova's OpenStack keys (image, flavor,
/// network, credentials) have nothing to act on here and are left out.</summary>
internal sealed class LabCloud(LabOptions options) : ILabCloud, IAsyncDisposable
{
    /// <summary>The target keys that carry over from a cloud target block to the simulated cloud.</summary>
    private static readonly HashSet<string> CarriedKeys =
    [
        "pool_name", "node_class", "datacenter", "node_pool", "node_drain_deadline", "node_drain_ignore_system_jobs", "node_purge",
        "node_selector_strategy", "node_filter_ignore_init", "node_filter_ignore_drain", "node_filter_ignore_ineligible",
    ];

    private SimulatedCloud? _cloud;
    private InProcessPlugin? _plugin;
    private InProcessClients? _clients;

    /// <summary>Turns on the simulator's cloud with the run's boot settings (and the fault schedule's boot faults).</summary>
    public static LabCloud Attach(SimulatorOptions simulator, LabOptions options, Func<string, SimulatedBootFault>? bootFault = null)
    {
        simulator.Cloud = new SimulatedCloudOptions
        {
            BootDelay = options.BootDelay,
            BootJitter = options.BootJitter,
            BootFailureRate = options.BootFailureRate,
            Seed = options.Seed,
            BootFault = bootFault,
        };
        return new LabCloud(options);
    }

    /// <summary>The simulated cloud's pool for a cluster policy: its <c>pool_name</c>, else its node class, as sim-cloud names it.</summary>
    public static string PoolName(ScalingPolicy policy) =>
        policy.Target.Config.GetValueOrDefault("pool_name") is { Length: > 0 } name ? name : policy.Target.Config.GetValueOrDefault("node_class", policy.Name);

    /// <summary>Starts the sim-cloud plugin of one agent on <paramref name="handler"/>. After an agent restart it is
    /// called again: the new agent's plugin is a new instance, knowing nothing of the old one's memory.</summary>
    public async Task ConnectAsync(NomadSimulator simulator, HttpMessageHandler handler, TimeProvider clock, AgentConfig config, ILoggerFactory loggers)
    {
        _cloud = simulator.Cloud ?? throw new InvalidOperationException("the simulator was started without a cloud");
        var instance = new SimCloudTargetPlugin(loggers.CreateLogger("internal_plugin.sim-cloud"), clock, handler);
        var settings = NomadConfigInjection.Apply(new Dictionary<string, string>(), AutoscalerAgent.Settings(config.Nomad), "sim-cloud", loggers.CreateLogger("lab"));
        _plugin = await InProcessPlugin.AttachAsync(new PluginBlock(PluginKind.Target, "sim-cloud", "sim-cloud", [], settings, PluginLoadMode.InProcess), instance, CancellationToken.None);
        _clients = new InProcessClients(_plugin);
    }

    public void AddPool(LabPool pool, int running)
    {
        if (running <= 0) return;
        _cloud!.Create(new SimulatedPool
        {
            Name = pool.Name,
            NodeClass = pool.NodeClass,
            Datacenter = pool.Datacenter,
            NodePool = pool.NodePool,
            Cpu = pool.Cpu,
            MemoryMB = pool.Memory,
        }, running, booted: true);
    }

    public int LiveServers(string pool) => _cloud!.LiveCount(pool);

    // The clients of the plugin started last: each agent's target talks to its own plugin instance.
    public ITargetClient TargetFor(TargetCloud block) => new NarrowedTarget(_clients!, options);

    public async ValueTask DisposeAsync()
    {
        if (_plugin is not null) await _plugin.DisposeAsync();
    }

    /// <summary>Hands the engine's calls to sim-cloud with the policy's target config narrowed and sized.</summary>
    private sealed class NarrowedTarget(InProcessClients clients, LabOptions options) : ITargetClient
    {
        public string PluginName => "sim-cloud";

        public Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken) =>
            clients.StatusAsync(Narrow(config), cancellationToken);

        public Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken) =>
            clients.ScaleAsync(action, Narrow(config), cancellationToken);

        private Dictionary<string, string> Narrow(IReadOnlyDictionary<string, string> config)
        {
            var narrowed = config.Where(e => CarriedKeys.Contains(e.Key) || e.Key.StartsWith("nomad_", StringComparison.Ordinal)
                    || e.Key.StartsWith("_nomad_autoscaler", StringComparison.Ordinal))
                .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            narrowed["node_cpu"] = options.NodeCpu.ToString(System.Globalization.CultureInfo.InvariantCulture);
            narrowed["node_memory"] = options.NodeMemory.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return narrowed;
        }
    }
}
