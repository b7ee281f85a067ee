using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;
using NomadAutoscaler.Simulator.Api;
using NomadAutoscaler.Simulator.Cloud;
using NomadAutoscaler.Simulator.CloudJoin;
using NomadAutoscaler.Simulator.State;
using NomadAutoscaler.Simulator.Workload;

namespace NomadAutoscaler.Simulator;

/// <summary>
/// A Nomad HTTP API simulator: a single-server, in-memory "cluster" with a bin-packing scheduler, simulated
/// clients, drains, scaling, variables and locks, served on loopback by Kestrel. It stands in for
/// <c>nomad agent -dev</c> in <c>nomad-autoscaler agent -dev</c>, <c>nomad-autoscaler sim</c> and tests.
/// </summary>
/// <remarks>
/// Time comes from the injected <see cref="TimeProvider"/>: with a fake provider, advancing it drives
/// allocation start/stop, node start-up, drain deadlines, lock expiry and the workload.
/// </remarks>
public sealed class NomadSimulator : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly object _lifecycleGate = new();
    private WebApplication? _app;
    private NomadHttpApi? _api;
    private ClusterState? _state;
    private ITimer? _ticker;
    private WorkloadDriver? _workload;
    private CloudJoinHook? _cloudJoin;
    private CancellationTokenSource? _stopping;
    private Task? _cloudJoinLoop;
    private NovaCloudJoinSource? _ownedJoinSource;
    private SimulatedCloud? _cloud;

    public NomadSimulator(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:41234</c> (set by <see cref="StartAsync"/>).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1:0");

    internal ClusterState State => _state ?? throw new InvalidOperationException("The simulator is not started.");

    internal CloudJoinHook? CloudJoin => _cloudJoin;

    /// <summary>The simulated cloud for node pools, when <see cref="SimulatorOptions.Cloud"/> turned it on; else null.</summary>
    public SimulatedCloud? Cloud => _cloud;

    /// <summary>Problems the workload met while playing (a line naming an unknown node, an invalid count...).</summary>
    public IReadOnlyList<string> WorkloadErrors => State.Read(() => _workload?.Errors.ToList() ?? []).Result;

    public async Task<Uri> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_app is not null || _api is not null)
        {
            throw new InvalidOperationException("The simulator is already started.");
        }

        if (!IPAddress.TryParse(options.BindAddress, out var bindAddress) || !IPAddress.IsLoopback(bindAddress))
        {
            throw new ArgumentException($"BindAddress \"{options.BindAddress}\" is not a loopback address; the simulator only listens on loopback.", nameof(options));
        }

        var api = CreateState(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(bindAddress, options.Port);
            if (!string.IsNullOrEmpty(options.UnixSocketPath))
            {
                kestrel.ListenUnixSocket(options.UnixSocketPath);
            }
        });
        builder.WebHost.UseSetting(WebHostDefaults.PreventHostingStartupKey, "true");
        var app = builder.Build();
        app.Run(api.HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal));
        Address = new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal));
        options.Logger?.Hclog(LogLevel.Information, "Nomad simulator listening", ("address", Address), ("unix_socket", options.UnixSocketPath ?? ""),
            ("nodes", options.Nodes.Count), ("jobs", options.Jobs.Count), ("acl", !string.IsNullOrEmpty(options.ManagementToken) || options.AclTokens.Count > 0));
        StartClock(options);
        return Address;
    }

    /// <summary>Starts the simulator without a listener: its API is reached only through
    /// <see cref="CreateHttpHandler"/>. The scaling lab uses it so that a simulated day costs no sockets, and every
    /// request runs on the caller's thread in virtual time.</summary>
    public void StartInMemory(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_app is not null || _api is not null)
        {
            throw new InvalidOperationException("The simulator is already started.");
        }

        CreateState(options);
        Address = new Uri("http://nomad.simulator.invalid/");
        StartClock(options);
    }

    /// <summary>An HTTP handler that answers from this simulator without a socket, for clients whose requests should
    /// run in-process (see <see cref="StartInMemory"/>); it works with a listening simulator too.</summary>
    public HttpMessageHandler CreateHttpHandler() =>
        new InMemoryHttpHandler(_api ?? throw new InvalidOperationException("The simulator is not started."));

    private NomadHttpApi CreateState(SimulatorOptions options)
    {
        var workload = options.Workload;
        if (!string.IsNullOrEmpty(options.WorkloadFile))
        {
            workload = SimulatedWorkload.Load(options.WorkloadFile);
        }

        var state = new ClusterState(
            new SimulatorSettings
            {
                Region = options.Region,
                Datacenter = options.Datacenter,
                AllocStartDelay = options.AllocStartDelay,
                AllocStopDelay = options.AllocStopDelay,
                NodeInitializeDelay = options.NodeInitializeDelay,
                JobMaxCount = options.JobMaxCount,
                AllocationGcAge = options.AllocationGcAge,
                Dispatch = options.Dispatch,
                AccessorIdentity = string.IsNullOrEmpty(options.ManagementToken)
                    ? "token:acls-disabled"
                    : "token:" + DeterministicAccessor(options.ManagementToken),
                NewId = options.Seed is { } seed ? SimulatorSettings.SeededIds(seed) : () => Guid.NewGuid().ToString(),
                Random = options.Seed is { } jitterSeed ? new Random(jitterSeed) : Random.Shared,
            },
            _time)
        {
            Logger = options.Logger,
        };
        state.Write(() =>
        {
            foreach (var node in options.Nodes)
            {
                state.AddNodeCore(node);
            }

            foreach (var job in options.Jobs)
            {
                state.RegisterJob(JobParser.Parse(JsonNode.Parse(job), "default", options.Region));
            }
        });
        _state = state;
        if (options.Cloud is not null)
        {
            _cloud = new SimulatedCloud(state, options.Cloud, options.Logger);
        }

        if (workload is not null)
        {
            _workload = new WorkloadDriver(workload, state, _time.GetUtcNow(), options.Logger);
        }

        _api = new NomadHttpApi(state, options, _time, Faults, _cloud);
        return _api;
    }

    private void StartClock(SimulatorOptions options)
    {
        _stopping = new CancellationTokenSource();
        ProcessTick();
        _ticker = _time.CreateTimer(_ => ProcessTick(), null, options.TickInterval, options.TickInterval);
        var joinSource = options.CloudJoinSource;
        if (joinSource is null && options.CloudJoinPools.Count > 0)
        {
            // `sim -cloud-join-pool` and `agent -dev` hand over OS_* settings only; the Nova poller is built here.
            _ownedJoinSource = NovaCloudJoinSource.FromEnvironment(options.OpenStackEnvironment.AsReadOnly(), _time);
            joinSource = _ownedJoinSource;
        }

        if (joinSource is not null)
        {
            _cloudJoin = new CloudJoinHook(_state!, joinSource, [.. options.CloudJoinPools], options.Logger);
            _cloudJoinLoop = RunCloudJoinAsync(options.CloudJoinInterval, _stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_ticker is not null)
        {
            await _ticker.DisposeAsync();
            _ticker = null;
        }

        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
        }

        if (_cloudJoinLoop is not null)
        {
            try
            {
                await _cloudJoinLoop;
            }
            catch (OperationCanceledException)
            {
                // Expected on stop.
            }

            _cloudJoinLoop = null;
        }

        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
            _app = null;
        }

        _stopping?.Dispose();
        _stopping = null;
        _ownedJoinSource?.Dispose();
        _ownedJoinSource = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Applies time-driven progress now (it also runs every <see cref="SimulatorOptions.TickInterval"/>).</summary>
    public void ProcessTick()
    {
        lock (_lifecycleGate)
        {
            var state = State;
            state.Write(() =>
            {
                var now = _time.GetUtcNow();
                _workload?.Advance(now);
                _cloud?.Advance(now);
            });
        }
    }

    /// <summary>Runs one cloud-join poll now (tests use it instead of waiting for the interval).</summary>
    public Task PollCloudJoinAsync(CancellationToken cancellationToken = default) =>
        _cloudJoin?.PollOnceAsync(cancellationToken) ?? throw new InvalidOperationException("No cloud-join source is configured.");

    private async Task RunCloudJoinAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await _cloudJoin!.PollOnceAsync(cancellationToken);
            await Task.Delay(interval, _time, cancellationToken);
        }
    }

    // ---------------------------------------------------------------- programmatic access

    /// <summary>Registers a client node; returns its ID.</summary>
    public string AddNode(SimulatorNodeSpec spec) => State.Write(() => State.AddNodeCore(spec).ID);

    /// <summary>Sets a node's status as its heartbeat would: <c>ready</c>, <c>down</c>, <c>disconnected</c>, <c>initializing</c>.</summary>
    public void SetNodeStatus(string nodeId, string status)
    {
        if (status is not (NodeStatus.Ready or NodeStatus.Down or NodeStatus.Disconnected or NodeStatus.Initializing))
        {
            throw new ArgumentException($"unknown node status \"{status}\"", nameof(status));
        }

        State.Write(() =>
        {
            if (!State.Nodes.TryGetValue(nodeId, out var node))
            {
                throw new KeyNotFoundException($"node {nodeId} not found");
            }

            if (status == NodeStatus.Initializing)
            {
                node.ReadyAt = _time.GetUtcNow() + State.Settings.NodeInitializeDelay;
            }

            State.SetNodeStatusCore(node, status);
        });
    }

    /// <summary>Registers (or updates) a job given in the Nomad API JSON form; returns the evaluation ID.</summary>
    public string RegisterJob(string jobJson)
    {
        var job = JobParser.Parse(JsonNode.Parse(jobJson), "default", State.Settings.Region);
        return State.Write(() => State.RegisterJob(job).EvalId);
    }

    /// <summary>A total demand spread over the job's running allocations (MHz, MiB); null leaves a value as it was.</summary>
    public void SetLoad(string jobId, double? cpuMhz = null, double? memoryMB = null, string ns = "default") =>
        State.Write(() =>
        {
            var usage = State.UsageFor(ns, jobId);
            if (cpuMhz is not null)
            {
                usage.CpuLoadMhz = cpuMhz;
                usage.CpuPercent = null;
            }

            if (memoryMB is not null)
            {
                usage.MemoryLoadMB = memoryMB;
                usage.MemoryPercent = null;
            }
        });

    /// <summary>A fixed usage every running allocation of the job reports, as a percentage of what it was allocated.</summary>
    public void SetUsage(string jobId, double? cpuPercent = null, double? memoryPercent = null, string ns = "default") =>
        State.Write(() =>
        {
            var usage = State.UsageFor(ns, jobId);
            if (cpuPercent is not null)
            {
                usage.CpuPercent = cpuPercent;
                usage.CpuLoadMhz = null;
            }

            if (memoryPercent is not null)
            {
                usage.MemoryPercent = memoryPercent;
                usage.MemoryLoadMB = null;
            }
        });

    /// <summary>Reports the job's running allocations as finished (<c>complete</c>), as batch tasks that exit 0;
    /// returns how many. Service jobs get replacements, as Nomad reschedules them.</summary>
    public int CompleteAllocations(string jobId, string ns = "default") => State.Write(() => State.CompleteAllocations(ns, jobId));

    /// <summary>Starts a deployment for the job (scaling is refused while it runs); returns its ID.</summary>
    public string StartDeployment(string jobId, string ns = "default") => State.Write(() => State.StartDeployment(ns, jobId).ID);

    /// <summary>Marks the job's running deployments successful.</summary>
    public void CompleteDeployments(string jobId, string ns = "default") => State.Write(() => State.FinishDeployments(ns, jobId));

    /// <summary>Errors to answer instead of the real API, switched on and off while the simulator runs.</summary>
    public InjectedFaults Faults { get; } = new();

    /// <summary>Every scale request received, accepted or refused, oldest first.</summary>
    public IReadOnlyList<ScaleRequestRecord> ScaleRequestLog => State.Read(() => State.ScaleRequests.ToList()).Result;

    /// <summary>The accepted scale requests (each recorded a scaling event), oldest first.</summary>
    public IReadOnlyList<ScaleRequestRecord> ScaleEvents => ScaleRequestLog.Where(r => r.Accepted).ToList();

    public IReadOnlyList<SimulatorNodeInfo> GetNodes() => State.Read(() => State.Nodes.Values
        .OrderBy(n => n.CreateIndex)
        .Select(n => new SimulatorNodeInfo(
            n.ID, n.Name, n.Datacenter, n.NodeClass, n.NodePool, n.Status, n.SchedulingEligibility, n.DrainStrategy is not null,
            n.LastDrain?.Status, new Dictionary<string, string>(n.Attributes), new Dictionary<string, string>(n.Meta), n.CloudServerId))
        .ToList()).Result;

    /// <summary>The group's desired count, or null when the job or group does not exist.</summary>
    public int? GetDesiredCount(string jobId, string group, string ns = "default") =>
        State.Read(() => State.Jobs.TryGetValue((ns, jobId), out var job) ? job.Group(group)?.Count : null).Result;

    /// <summary>How many of the group's allocations are running.</summary>
    public int GetRunningCount(string jobId, string group, string ns = "default") =>
        State.Read(() => State.Allocations.Values.Count(a => a.Namespace == ns && a.JobID == jobId && a.TaskGroup == group && a.ClientStatus == ClientStatus.Running)).Result;

    /// <summary>How many of the group's allocations could not be placed (the blocked evaluation's queue).</summary>
    public int GetQueuedCount(string jobId, string group, string ns = "default") =>
        State.Read(() => State.Queued.TryGetValue((ns, jobId), out var q) ? q.GetValueOrDefault(group) : 0).Result;

    private static string DeterministicAccessor(string secret)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("accessor:" + secret));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
