using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Lab.Faults;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator;
using NomadAutoscaler.Simulator.Cloud;

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
        var checking = options.FaultSpec.Any || options.CheckInvariants;
        var history = checking ? new LabHistory(clock, options.Start) : null;
        var until = options.Start + (options.FaultsUntil ?? (options.Duration > TimeSpan.FromHours(1) ? options.Duration - TimeSpan.FromHours(1) : TimeSpan.Zero));
        var faults = history is null ? null : new LabFaults(options.FaultSpec, options.Seed, clock, until, history);
        // The secret check reads every line the agent logs, so the run logs at debug even when nothing is printed.
        var scanner = faults is null ? null : new SecretScanningLoggerProvider();
        using var ownLoggers = loggers is null && (options.LogLevel is not null || scanner is not null)
            ? LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(LogLevel.Trace);
                if (options.LogLevel is { } level)
                    builder.AddProvider(new HclogLoggerProvider(new HclogOptions { MinimumLevel = HclogLevel.Parse(level), UseUtc = true, TimeProvider = clock }));
                if (scanner is not null) builder.AddProvider(scanner);
            })
            : null;
        loggers ??= ownLoggers ?? (ILoggerFactory)NullLoggerFactory.Instance;
        var loop = new LabLoop(clock);
        var end = options.Start + options.Duration;
        var world = new LabWorld(options, config, workload, loop, loggers, faults, scanner);
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
        return LabReport.Build(options, tracks, clock.ForeignTimers) with
        {
            History = history?.Lines ?? [],
            LongestConvergence = world.Invariants?.LongestConvergence,
            FirstEscape = clock.FirstForeignTimer,
        };
    }

    /// <summary>Values of the configuration that must never be logged: the Nomad token and HTTP auth, and every plugin
    /// config value whose key says it is a secret.</summary>
    internal static IReadOnlyList<string> Secrets(AgentConfig config)
    {
        string[] words = ["password", "secret", "token", "credential", "http_auth"];
        var values = new List<string> { config.Nomad.Token, config.Nomad.HttpAuth };
        foreach (var (_, block) in config.AllPlugins)
            values.AddRange(block.Config.Where(e => words.Any(w => e.Key.Contains(w, StringComparison.OrdinalIgnoreCase))).Select(e => e.Value));
        // Short values ("true", "1") would match everywhere and are no secret worth the name.
        return values.Where(v => v.Length >= 8).Distinct(StringComparer.Ordinal).ToList();
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
    private sealed class LabWorld(LabOptions options, AgentConfig config, SimulatedWorkload workload, LabLoop loop, ILoggerFactory loggers,
        LabFaults? faults, SecretScanningLoggerProvider? scanner) : IAsyncDisposable
    {
        private readonly VirtualClock clock = loop.Clock;
        private readonly NomadSimulator _simulator = new(loop.Clock);
        private readonly Dictionary<string, PolicyTrack> _tracks = new(StringComparer.Ordinal);
        private LabObserver? _observer;
        private LabPlugins? _plugins;
        private LabCloud? _cloud;
        private HttpMessageHandler? _world;
        private PolicySnapshot? _snapshot;
        // One slot per agent of the group: two with high_availability, so the lock decides who acts; null while dead.
        private readonly AgentProcess?[] _agents = new AgentProcess?[config.HighAvailability.Enabled ? 2 : 1];
        private int _generation;
        private readonly List<Exception> _faults = [];

        /// <summary>Evaluations that threw: bugs, never expected errors (a dead agent's are not counted).</summary>
        public IReadOnlyList<Exception> Faults => _faults;

        public LabInvariants? Invariants { get; private set; }

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
                Logger = loggers.CreateLogger("lab.simulator"),
            };
            var cloud = LabCloud.Attach(simulatorOptions, options, faults is null ? null : BootFault);
            _cloud = cloud;
            _simulator.StartInMemory(simulatorOptions);
            _world = _simulator.CreateHttpHandler();
            if (faults is not null)
            {
                // The invariants see the tracks as the agent's first start adds them.
                Invariants = new LabInvariants(clock, _simulator.State, _simulator.Cloud!, _tracks.Values, faults, options.Seed, options.ConvergenceBound, Secrets(config));
                scanner!.Target = Invariants;
                _world = new FaultyNomadHandler(new InvariantHandler(_world, Invariants), faults);
            }

            for (var slot = 0; slot < _agents.Length; slot++) await StartAgentAsync(slot);
            var ordered = _tracks.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Policy.Id, StringComparer.Ordinal).ToList();
            if (faults is not null)
            {
                Invariants!.Start();
                ScheduleFault(LabFaultClass.NodeFlap, FlapNode);
                ScheduleFault(LabFaultClass.AgentRestart, KillAgent);
                if (_agents.Length > 1) ScheduleFault(LabFaultClass.LeaderPartition, PartitionLeader);
            }

            _observer = new LabObserver(_simulator.State, ordered, options.NodeCpu, options.NodeMemory, cloud.LiveServers, TimeSpan.FromMinutes(1));
            _observer.Sample(clock.GetUtcNow());
            clock.CreateTimer(_ => _observer.Sample(clock.GetUtcNow()), null, options.SampleInterval, options.SampleInterval);
            return ordered;
        }

        /// <summary>Starts one agent process: its own plugins (new instances, empty memory) on its own connection, and
        /// an engine that knows only the policy files and what it reads from Nomad and the cloud. With HA it campaigns
        /// for the lock on that connection, as the agent does, and evaluates only while it holds it.</summary>
        private async Task StartAgentAsync(int slot)
        {
            var generation = ++_generation;
            var lifeline = new AgentLifeline(_world!, generation, Invariants is null ? null : Acting);
            await _cloud!.ConnectAsync(_simulator, lifeline, clock, config, loggers);
            var plugins = await LabPlugins.CreateAsync(config, clock, lifeline, loggers, _cloud.TargetFor, CancellationToken.None, faults);
            if (_snapshot is null)
            {
                _plugins = plugins;
                _snapshot = ReadPolicies();
                foreach (var policy in _snapshot.Policies) _tracks[policy.Id] = Track(policy, _cloud);
            }

            var driver = new EvaluationDriver(clock, (handler, record, finished) =>
            {
                if (_agents[slot]?.Generation == generation) Evaluated(handler, record, finished);
            });
            var election = _agents.Length > 1 ? Election(lifeline, generation) : null;
            var manager = new PolicyManager(plugins, config.PolicyEval.Workers, clock, loggers, new AutoscalerMetrics(), gate: election, start: driver.Start);
            _agents[slot] = new AgentProcess(generation, lifeline, plugins, manager, driver, election);
            await manager.ApplyAsync(_snapshot);
            election?.StartOnCallerThread();
            faults?.History.Add($"agent {generation} started");
        }

        private LeaderElection Election(AgentLifeline lifeline, int generation)
        {
            var ha = config.HighAvailability;
            var logger = loggers.CreateLogger($"agent.ha.{generation}");
            var client = new Nomad.NomadClient(Core.Agent.AutoscalerAgent.ClientOptions(config.Nomad), new LabPlugins.SharedHandler(lifeline), clock, logger);
            return new LeaderElection(new NomadVariableLock(client, ha.LockPath, ha.LockNamespace, ha.LockTtl, ha.LockDelay), ha.LockTtl, ha.LockPath, clock, logger,
                new Random(unchecked((options.Seed * 31) + generation)), new NomadCooldownStore(client, LeaderElection.StatePath(ha.LockPath), ha.LockNamespace, clock));
        }

        /// <summary>An agent about to change the cluster or the cloud: no other live agent may be the leader then.</summary>
        private void Acting(int generation, string what)
        {
            foreach (var other in _agents)
            {
                if (other is null || other.Generation == generation || other.Lifeline.Dead || other.Election is not { IsLeader: true }) continue;
                var self = _agents.FirstOrDefault(a => a?.Generation == generation);
                Invariants!.Fail("one-agent-acts", $"agent {generation} ({(self?.Election is { IsLeader: true } ? "leader" : "not leader")}) {what} while agent {other.Generation} is the leader");
            }
        }

        private SimulatedBootFault BootFault(string server)
        {
            if (faults!.Draw(LabFaultClass.CloudError))
            {
                faults.History.Add($"fault cloud-error: server {server} will go to ERROR");
                return SimulatedBootFault.Error;
            }

            if (faults.Draw(LabFaultClass.NeverJoin))
            {
                faults.History.Add($"fault never-join: server {server} will never join");
                return SimulatedBootFault.NeverJoin;
            }

            return SimulatedBootFault.None;
        }

        private void ScheduleFault(LabFaultClass faultClass, Action fire)
        {
            if (faults!.NextEvent(faultClass) is not { } wait || clock.GetUtcNow() + wait >= faults.Until) return;
            clock.CreateTimer(_ =>
            {
                fire();
                ScheduleFault(faultClass, fire);
            }, null, wait, Timeout.InfiniteTimeSpan);
        }

        private void FlapNode()
        {
            var state = _simulator.State;
            var pools = _tracks.Values.Where(t => t.IsCluster).Select(t => t.CloudPool!).ToHashSet(StringComparer.Ordinal);
            var nodes = _simulator.Cloud!.Servers().Where(s => pools.Contains(s.Pool) && s.State == SimulatedServerState.Active && s.NodeId is not null)
                .Select(s => s.NodeId!).Where(id => state.Nodes.TryGetValue(id, out var n) && n.Status == "ready").Order(StringComparer.Ordinal).ToList();
            if (nodes.Count == 0) return;
            var node = nodes[faults!.Pick(LabFaultClass.NodeFlap, nodes.Count)];
            var downFor = faults.Between(LabFaultClass.NodeFlap, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
            faults.History.Add($"fault node-flap: node {state.Nodes[node].Name} goes down for {downFor}");
            Invariants!.Excuse(node);
            _simulator.SetNodeStatus(node, "down");
            clock.CreateTimer(_ =>
            {
                if (!state.Nodes.TryGetValue(node, out var n) || n.Status != "down") return;
                faults.History.Add($"node {n.Name} is back");
                _simulator.SetNodeStatus(node, "ready");
            }, null, downFor, Timeout.InfiniteTimeSpan);
        }

        /// <summary>With HA the leader dies if there is one: the harder case, since its lock outlives it.</summary>
        private void KillAgent()
        {
            var slot = Array.FindIndex(_agents, a => a?.Election is { IsLeader: true });
            if (slot < 0) slot = Array.FindIndex(_agents, a => a is not null);
            if (slot < 0) return;
            var agent = _agents[slot]!;
            var downFor = faults!.Between(LabFaultClass.AgentRestart, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
            faults.History.Add($"fault agent-restart: agent {agent.Generation} dies; the next starts in {downFor}");
            agent.Lifeline.Dead = true;
            agent.Driver.Stop();
            _agents[slot] = null;
            clock.CreateTimer(_ =>
            {
                // What the dead process held in memory is gone with it; the SDK keeps what it knows of the nodes it
                // is removing process-wide, which in the lab's one process must be forgotten by hand. With HA the
                // dead agent was the leader (or nobody was), so the standby that shares the process here was
                // removing nothing of its own, and forgets nothing it should know.
                ClusterScaleIn.ForgetProcessState(_simulator.Cloud!.Servers().Select(s => s.NodeId).OfType<string>());
                StartAgentAsync(slot).ContinueWith(t => _faults.Add(t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }, null, downFor, Timeout.InfiniteTimeSpan);
        }

        /// <summary>The leader loses Nomad for a while; the cloud still answers it.</summary>
        private void PartitionLeader()
        {
            if (_agents.FirstOrDefault(a => a is { Lifeline.Dead: false, Lifeline.Partitioned: false, Election.IsLeader: true }) is not { } leader) return;
            var cutFor = faults!.Between(LabFaultClass.LeaderPartition, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
            faults.History.Add($"fault leader-partition: agent {leader.Generation} cannot reach Nomad for {cutFor}");
            leader.Lifeline.Partitioned = true;
            clock.CreateTimer(_ =>
            {
                faults.History.Add($"agent {leader.Generation} reaches Nomad again");
                leader.Lifeline.Partitioned = false;
            }, null, cutFor, Timeout.InfiniteTimeSpan);
        }

        public void Finish(DateTimeOffset end)
        {
            foreach (var agent in _agents.OfType<AgentProcess>())
            {
                agent.Driver.Stop();
                _faults.AddRange(agent.Driver.Faults);
            }

            _observer?.Finish(end);
            Invariants?.Finish();
        }

        public async ValueTask DisposeAsync()
        {
            // A dead agent is left as it died: waiting for its calls would wait forever.
            foreach (var agent in _agents.OfType<AgentProcess>())
            {
                agent.Driver.Dispose();
                await agent.Manager.DisposeAsync();
                await agent.Plugins.DisposeAsync();
            }

            if (_cloud is not null) await _cloud.DisposeAsync();
            // A scale-in still under way when the run ended would otherwise leave its nodes in the SDK's process-wide
            // set, and the next run of the same seed (the same node IDs) would behave differently.
            if (_simulator.Cloud is { } cloud) ClusterScaleIn.ForgetProcessState(cloud.Servers().Select(s => s.NodeId).OfType<string>());
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
                // The pool starts at its minimum, booted, as it stood before the workload began.
                cloud.AddPool(pool, (int)Math.Max(0, policy.Min));
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
            faults?.History.Add($"decision: {track.Name} {record.CurrentCount ?? 0} -> {action.Count} ({action.Reason})");
        }
    }

    /// <summary>One agent process of the run; an agent restart replaces it with a new one.</summary>
    private sealed record AgentProcess(int Generation, AgentLifeline Lifeline, LabPlugins Plugins, PolicyManager Manager, EvaluationDriver Driver, LeaderElection? Election);
}
