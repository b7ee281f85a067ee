namespace NomadAutoscaler.Simulator.State;

/// <summary>
/// The whole simulated cluster behind one lock. Every write takes the next Raft-like index, marks the tables it
/// touched, lets the scheduler and the lifecycle machinery settle, then wakes blocked readers.
/// </summary>
internal sealed partial class ClusterState
{
    public const string TableNodes = "nodes";
    public const string TableAllocs = "allocs";
    public const string TableJobs = "jobs";
    public const string TableEvals = "evals";
    public const string TablePolicies = "scaling_policy";
    public const string TableScalingEvents = "scaling_event";
    public const string TableVariables = "variables";
    public const string TableDeployments = "deployment";

    private readonly object _gate = new();
    private readonly Dictionary<string, ulong> _tableIndexes = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed;
    private ulong _raftIndex;
    private ulong _planIndex;
    private int _nodeNameCounter;
    private ulong _settledIndex;
    private DateTimeOffset _nextGc = DateTimeOffset.MinValue;

    public ClusterState(SimulatorSettings settings, TimeProvider time)
    {
        Settings = settings;
        _time = time;
        _changed = NewSignal();
        // A fresh Nomad dev agent has done a few writes before anyone can ask; never answer a read with index 0.
        _raftIndex = 1;
    }

    public SimulatorSettings Settings { get; }

    /// <summary>Where scheduling events worth watching (queued work placed) are logged; null logs nothing.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    public Dictionary<string, SimNode> Nodes { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string Namespace, string Id), SimJob> Jobs { get; } = [];
    public Dictionary<string, SimAllocation> Allocations { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SimEvaluation> Evaluations { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SimScalingPolicy> Policies { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string Namespace, string Id), SimJobScalingEvents> ScalingEvents { get; } = [];
    public Dictionary<(string Namespace, string Path), SimVariable> Variables { get; } = [];
    public List<SimDeployment> Deployments { get; } = [];
    public List<ScaleRequestRecord> ScaleRequests { get; } = [];

    /// <summary>Unplaced allocations per job and group (the queued count of its blocked evaluation).</summary>
    public Dictionary<(string Namespace, string Id), Dictionary<string, int>> Queued { get; } = [];

    /// <summary>Workload-driven resource usage per job.</summary>
    public Dictionary<(string Namespace, string Id), JobUsage> Usage { get; } = [];

    public ulong LatestIndex
    {
        get
        {
            lock (_gate)
            {
                return _raftIndex;
            }
        }
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public long NowUnixNano => ToUnixNano(_time.GetUtcNow());

    public static long ToUnixNano(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public ulong TableIndex(string table) => _tableIndexes.TryGetValue(table, out var index) ? index : 0;

    /// <summary>Runs a read under the lock and returns the signal that completes on the next write.</summary>
    public (T Result, Task Changed) Read<T>(Func<T> query)
    {
        lock (_gate)
        {
            return (query(), _changed.Task);
        }
    }

    /// <summary>Runs a write under the lock, settles the cluster and wakes blocked readers.</summary>
    public T Write<T>(Func<T> mutation)
    {
        lock (_gate)
        {
            var before = _raftIndex;
            try
            {
                return mutation();
            }
            finally
            {
                Settle();
                if (_raftIndex != before)
                {
                    var old = _changed;
                    _changed = NewSignal();
                    if (Settings.Dispatch is { } dispatch)
                    {
                        dispatch(() => old.TrySetResult());
                    }
                    else
                    {
                        old.TrySetResult();
                    }
                }
            }
        }
    }

    public void Write(Action mutation) => Write(() =>
    {
        mutation();
        return true;
    });

    /// <summary>Time-driven progress: allocation starts and stops, node start-up, drain deadlines, lock expiry.</summary>
    public void Tick() => Write(() => { });

    internal ulong NextIndex(params string[] tables)
    {
        _raftIndex++;
        foreach (var table in tables)
        {
            _tableIndexes[table] = _raftIndex;
        }

        return _raftIndex;
    }

    /// <summary>The index of the current scheduler pass: allocated lazily, shared by every change in the pass,
    /// as one plan is applied in one Raft entry.</summary>
    private ulong PlanIndex()
    {
        if (_planIndex == 0)
        {
            _planIndex = NextIndex(TableAllocs);
        }

        _tableIndexes[TableAllocs] = _planIndex;
        return _planIndex;
    }

    // Blocked readers must not run inside the writer's lock: they resume on the thread pool, or, where a dispatcher
    // is set (the scaling lab's one-thread loop), once the dispatcher runs the completion after the write.
    private TaskCompletionSource NewSignal() =>
        new(Settings.Dispatch is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);

    private void Settle()
    {
        // Each round may enable the next (a drain marks allocs, the scheduler stops and replaces them, a
        // zero stop delay completes them, the drain then completes); a handful of rounds always reaches a fixpoint.
        for (var round = 0; round < 8; round++)
        {
            var before = _raftIndex;
            _planIndex = 0;
            AdvanceNodes();
            AdvanceAllocations();
            AdvanceDrains();
            // Scheduling only changes when something did: a tick in which no time-driven step moved the index finds
            // the fixpoint the last settle left, so the whole-cluster passes are skipped (they dominate a lab day).
            if (round > 0 || _raftIndex != _settledIndex)
            {
                Reconcile();
                UpdateJobStatuses();
            }

            AdvanceLocks();
            CollectGarbage();
            _planIndex = 0;
            if (_raftIndex == before)
            {
                _settledIndex = _raftIndex;
                return;
            }
        }

        _settledIndex = _raftIndex;
    }

    /// <summary>Forgets allocations that finished more than <see cref="SimulatorSettings.AllocationGcAge"/> ago, as
    /// Nomad's garbage collector does; without it a simulated day would scan every allocation it ever made.</summary>
    private void CollectGarbage()
    {
        if (Settings.AllocationGcAge is not { } age)
        {
            return;
        }

        var cutoff = Now - age;
        if (cutoff < _nextGc)
        {
            return;
        }

        _nextGc = Now + age;
        var cutoffNs = ToUnixNano(cutoff);
        var old = Allocations.Values.Where(a => a.ClientTerminal && (a.FinishedAt is { } finished ? finished < cutoff : a.ModifyTime < cutoffNs)).Select(a => a.ID).ToList();
        foreach (var id in old)
        {
            Allocations.Remove(id);
        }
    }

    private void AdvanceNodes()
    {
        var now = Now;
        foreach (var node in Nodes.Values)
        {
            if (node.Status == NodeStatus.Initializing && node.ReadyAt <= now)
            {
                SetNodeStatusCore(node, NodeStatus.Ready);
            }
        }
    }

    private void AdvanceAllocations()
    {
        var now = Now;
        foreach (var alloc in Allocations.Values)
        {
            if (alloc.ClientTerminal)
            {
                continue;
            }

            if (alloc.ServerTerminal)
            {
                if (alloc.StopAt is { } stopAt && stopAt <= now)
                {
                    alloc.ClientStatus = ClientStatus.Complete;
                    alloc.ClientDescription = "All tasks have completed";
                    alloc.FinishedAt = now;
                    alloc.TaskEvents.Add(("Killed", NowUnixNano, "Task successfully killed"));
                    TouchAlloc(alloc);
                }
            }
            else if (alloc.ClientStatus == ClientStatus.Pending && alloc.StartAt is { } startAt && startAt <= now)
            {
                alloc.ClientStatus = ClientStatus.Running;
                alloc.ClientDescription = "Tasks are running";
                alloc.StartedAt = now;
                alloc.TaskEvents.Add(("Started", NowUnixNano, "Task started by client"));
                TouchAlloc(alloc);
            }
        }
    }

    private void TouchAlloc(SimAllocation alloc)
    {
        alloc.ModifyIndex = PlanIndex();
        alloc.ModifyTime = NowUnixNano;
    }

    private void StopAlloc(SimAllocation alloc, string description)
    {
        alloc.DesiredStatus = "stop";
        alloc.DesiredDescription = description;
        alloc.StopAt = Now + Settings.AllocStopDelay;
        alloc.AllocModifyIndex = PlanIndex();
        TouchAlloc(alloc);
    }

    private string NewNodeName() => $"sim-client-{++_nodeNameCounter}";
}
