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

    /// <summary>Turns on the simulator's cloud with the run's boot settings.</summary>
    public static LabCloud Attach(SimulatorOptions simulator, LabOptions options)
    {
        simulator.Cloud = new SimulatedCloudOptions
        {
            BootDelay = options.BootDelay,
            BootJitter = options.BootJitter,
            BootFailureRate = options.BootFailureRate,
            Seed = options.Seed,
        };
        return new LabCloud(options);
    }

    /// <summary>The simulated cloud's pool for a cluster policy: its <c>pool_name</c>, else its node class, as sim-cloud names it.</summary>
    public static string PoolName(ScalingPolicy policy) =>
        policy.Target.Config.GetValueOrDefault("pool_name") is { Length: > 0 } name ? name : policy.Target.Config.GetValueOrDefault("node_class", policy.Name);

    public async Task ConnectAsync(NomadSimulator simulator, HttpMessageHandler handler, TimeProvider clock, AgentConfig config, ILoggerFactory loggers)
    {
        _cloud = simulator.Cloud ?? throw new InvalidOperationException("the simulator was started without a cloud");
        var instance = new SimCloudTargetPlugin(loggers.CreateLogger("internal_plugin.sim-cloud"), clock, handler);
        var settings = NomadConfigInjection.Apply(new Dictionary<string, string>(), AutoscalerAgent.Settings(config.Nomad), "sim-cloud", loggers.CreateLogger("lab"));
        _plugin = await InProcessPlugin.AttachAsync(new PluginBlock(PluginKind.Target, "sim-cloud", "sim-cloud", [], settings, PluginLoadMode.InProcess), instance, CancellationToken.None);
        _clients = new InProcessClients(_plugin);
    }

    public void AddPool(LabPool pool)
    {
        // sim-cloud creates servers with the pool's class and size from the target config; nothing to declare.
    }

    public int LiveServers(string pool) => _cloud!.LiveCount(pool);

    public ITargetClient TargetFor(TargetCloud block) => new NarrowedTarget(this, options);

    public async ValueTask DisposeAsync()
    {
        if (_plugin is not null) await _plugin.DisposeAsync();
    }

    /// <summary>Hands the engine's calls to sim-cloud with the policy's target config narrowed and sized.</summary>
    private sealed class NarrowedTarget(LabCloud cloud, LabOptions options) : ITargetClient
    {
        public string PluginName => "sim-cloud";

        public Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken) =>
            cloud._clients!.StatusAsync(Narrow(config), cancellationToken);

        public Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken) =>
            cloud._clients!.ScaleAsync(action, Narrow(config), cancellationToken);

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
