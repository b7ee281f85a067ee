using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Lab;

/// <summary>One lab run: the operator's agent configuration and policies, the real engine and plugins, and the
/// simulated cluster and cloud, all on one virtual clock, scored against the clairvoyant bound.</summary>
public static class LabRun
{
    /// <summary>Runs <paramref name="options"/> to the end and returns the report.</summary>
    /// <exception cref="LabException">The input cannot run in the lab; the message says where and why.</exception>
    public static LabReport Run(LabOptions options, IReadOnlyDictionary<string, string?> environment, string workingDirectory, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = LoadConfig(options, environment, workingDirectory);
        var workload = LoadWorkload(options.WorkloadPath);
        var clock = new VirtualClock(options.Start);
        using var ownLoggers = loggers is null && options.LogLevel is { } level
            ? LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace)
                .AddProvider(new HclogLoggerProvider(new HclogOptions { MinimumLevel = HclogLevel.Parse(level), UseUtc = true, TimeProvider = clock })))
            : null;
        loggers ??= ownLoggers ?? (ILoggerFactory)NullLoggerFactory.Instance;
        var loop = new LabLoop(clock);
        var end = options.Start + options.Duration;
        var world = new LabWorld(options, config, workload, loop, loggers);
        IReadOnlyList<PolicyTrack> tracks;
        try
        {
            tracks = loop.Run(world.StartAsync, end);
            world.Finish(end);
        }
        finally
        {
            world.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        if (world.Faults.Count > 0)
            throw new InvalidOperationException("an evaluation failed unexpectedly in the lab", world.Faults[0]);
        return LabReport.Build(options, tracks, clock.ForeignTimers);
    }

    private static AgentConfig LoadConfig(LabOptions options, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        try
        {
            return ConfigLoader.Load(options.ConfigPaths, null, environment, workingDirectory);
        }
        catch (ConfigException ex)
        {
            throw new LabException(ex.Message, ex);
        }
    }

    private static SimulatedWorkload LoadWorkload(string path)
    {
        try
        {
            return SimulatedWorkload.Load(path);
        }
        catch (FormatException ex)
        {
            throw new LabException(ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new LabException($"workload {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Everything that lives on the virtual clock for one run.</summary>
    private sealed class LabWorld(LabOptions options, AgentConfig config, SimulatedWorkload workload, LabLoop loop, ILoggerFactory loggers) : IAsyncDisposable
    {
        private readonly VirtualClock clock = loop.Clock;
        private readonly NomadSimulator _simulator = new(loop.Clock);
        private readonly Dictionary<string, PolicyTrack> _tracks = new(StringComparer.Ordinal);
        private EvaluationDriver? _driver;
        private LabObserver? _observer;
        private LabPlugins? _plugins;
        private PolicyManager? _manager;
        private LabCloud? _cloud;

        public IReadOnlyList<Exception> Faults => _driver?.Faults ?? [];

        public async Task<IReadOnlyList<PolicyTrack>> StartAsync()
        {
            var simulatorOptions = new SimulatorOptions
            {
                Seed = options.Seed,
                // The operator's files name their own region; the simulated cluster answers as that region.
                Region = config.Nomad.Region.Length > 0 ? config.Nomad.Region : "global",
                Workload = workload,
                TickInterval = TimeSpan.FromSeconds(1),
                AllocationGcAge = TimeSpan.FromMinutes(10),
                Dispatch = loop.Post,
            };
            var cloud = LabCloud.Attach(simulatorOptions, options);
            _cloud = cloud;
            _simulator.StartInMemory(simulatorOptions);
            var handler = _simulator.CreateHttpHandler();
            await cloud.ConnectAsync(_simulator, handler, clock, config, loggers);

            _plugins = await LabPlugins.CreateAsync(config, clock, handler, loggers, cloud.TargetFor, CancellationToken.None);
            var snapshot = ReadPolicies();
            foreach (var policy in snapshot.Policies) _tracks[policy.Id] = Track(policy, cloud);

            _driver = new EvaluationDriver(clock, Evaluated);
            _manager = new PolicyManager(_plugins, config.PolicyEval.Workers, clock, loggers, new AutoscalerMetrics(), start: _driver.Start);
            await _manager.ApplyAsync(snapshot);

            var ordered = _tracks.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Policy.Id, StringComparer.Ordinal).ToList();
            _observer = new LabObserver(_simulator.State, ordered, options.NodeCpu, options.NodeMemory, cloud.LiveServers, TimeSpan.FromMinutes(1));
            _observer.Sample(clock.GetUtcNow());
            clock.CreateTimer(_ => _observer.Sample(clock.GetUtcNow()), null, options.SampleInterval, options.SampleInterval);
            return ordered;
        }

        public void Finish(DateTimeOffset end)
        {
            _driver?.Stop();
            _observer?.Finish(end);
        }

        public async ValueTask DisposeAsync()
        {
            _driver?.Dispose();
            if (_manager is not null) await _manager.DisposeAsync();
            if (_plugins is not null) await _plugins.DisposeAsync();
            if (_cloud is not null) await _cloud.DisposeAsync();
            await _simulator.DisposeAsync();
        }

        private PolicySnapshot ReadPolicies()
        {
            if (!Directory.Exists(options.PolicyDir))
                throw new LabException($"-policy-dir: no such directory: {options.PolicyDir}");
            using var source = new FilePolicySource(options.PolicyDir, FilePolicyDefaults.From(config), loggers, clock);
            var snapshot = source.ReadSnapshot();
            if (snapshot.Errors.Count > 0) throw new LabException(string.Join(Environment.NewLine, snapshot.Errors));
            if (snapshot.Policies.Count == 0) throw new LabException($"-policy-dir: no enabled scaling policy in {options.PolicyDir}");
            return snapshot;
        }

        private PolicyTrack Track(ScalingPolicy policy, LabCloud cloud)
        {
            var where = policy.FilePath is { } path ? $"{path}: policy \"{policy.Name}\"" : $"policy \"{policy.Name}\"";
            foreach (var check in policy.Checks)
            {
                if (check.NeedsMetrics && Problem(PluginKind.Apm, check.Source) is { } apm)
                    throw new LabException($"{where}: check \"{check.Name}\": {apm}");
                if (Problem(PluginKind.Strategy, check.StrategyName) is { } strategy)
                    throw new LabException($"{where}: check \"{check.Name}\": {strategy}");
            }

            if (Problem(PluginKind.Target, policy.Target.Name) is { } target)
                throw new LabException($"{where}: {target}");

            var targetConfig = policy.Target.Config;
            var driver = _plugins!.Driver(PluginKind.Target, policy.Target.Name)!;
            var isCloud = LabPlugins.CloudDrivers.Contains(driver);
            if (policy.Type == PolicyTypes.Cluster)
            {
                if (!isCloud)
                    throw new LabException($"{where}: target \"{policy.Target.Name}\" (driver \"{driver}\") is not a cloud the lab can simulate; cluster policies run with os-nova or sim-cloud targets");
                if (!targetConfig.TryGetValue("node_class", out var nodeClass) || nodeClass.Length == 0)
                    throw new LabException($"{where}: target key \"node_class\" is required: the lab sizes the pool by the node class its jobs ask for");
                var pool = new LabPool(LabCloud.PoolName(policy), nodeClass, targetConfig.GetValueOrDefault("datacenter", "dc1"),
                    targetConfig.GetValueOrDefault("node_pool", "default"), options.NodeCpu, options.NodeMemory);
                cloud.AddPool(pool);
                return new PolicyTrack(policy) { NodeClass = nodeClass, CloudPool = pool.Name };
            }

            if (isCloud)
                throw new LabException($"{where}: a {policy.Type} policy cannot scale the cloud target \"{policy.Target.Name}\"");
            if (!targetConfig.TryGetValue("Job", out var job) || !targetConfig.TryGetValue("Group", out var group))
                throw new LabException($"{where}: target keys \"Job\" and \"Group\" are required for a task-group policy");
            return new PolicyTrack(policy) { Job = job, Group = group, Namespace = targetConfig.GetValueOrDefault("Namespace", "default") };
        }

        private string? Problem(PluginKind kind, string name)
        {
            if (_plugins!.Unsupported(kind, name) is { } reason) return reason;
            var found = kind switch
            {
                PluginKind.Apm => _plugins.FindApm(name) is not null,
                PluginKind.Strategy => _plugins.FindStrategy(name) is not null,
                _ => _plugins.FindTarget(name) is not null,
            };
            var kindName = kind switch { PluginKind.Apm => "apm", PluginKind.Strategy => "strategy", _ => "target" };
            return found ? null : $"{kindName} plugin \"{name}\" is not configured in the agent configuration";
        }

        private void Evaluated(PolicyHandler handler, EvaluationRecord record, DateTimeOffset finished)
        {
            if (record.Outcome != EvaluationOutcome.Scaled || record.Action is not { } action || !_tracks.TryGetValue(handler.Policy.Id, out var track)) return;
            track.Decisions.Add(new LabDecision(record.StartedAt, finished, record.CurrentCount ?? 0, action.Count, action.Reason));
        }
    }
}
