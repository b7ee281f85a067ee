using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Lab;

/// <summary>Samples the simulated cluster on the virtual clock and integrates each policy's figures: capacity and its
/// bound, idle nodes, allocations waiting, and the waits themselves.</summary>
internal sealed class LabObserver(ClusterState state, IReadOnlyList<PolicyTrack> tracks, int nodeCpu, int nodeMemory,
    Func<string, int> liveServers, TimeSpan timelineStep)
{
    private DateTimeOffset? _last;
    private DateTimeOffset _lastTimeline = DateTimeOffset.MinValue;

    public void Sample(DateTimeOffset now)
    {
        var since = _last;
        _last = now;
        var dt = since is { } previous ? (now - previous).TotalSeconds : 0;
        foreach (var track in tracks)
        {
            if (track.Last is { } last && dt > 0) Integrate(track, last, dt);
        }

        // One pass over the allocations serves every policy: running and started-since counts per job and node.
        var running = new Dictionary<string, int>(StringComparer.Ordinal);
        var started = new Dictionary<string, List<DateTimeOffset>>(StringComparer.Ordinal);
        var busyNodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alloc in state.Allocations.Values)
        {
            if (alloc.ClientTerminal || alloc.ServerTerminal) continue;
            var key = JobKey(alloc.Namespace, alloc.JobID, alloc.TaskGroup);
            if (alloc.JobType is not ("system" or "sysbatch")) busyNodes.Add(alloc.NodeID);
            if (alloc.ClientStatus != ClientStatus.Running) continue;
            running[key] = running.GetValueOrDefault(key) + 1;
            if (alloc.StartedAt is { } at && (since is null || at > since.Value))
            {
                if (!started.TryGetValue(key, out var list)) started[key] = list = [];
                list.Add(at);
            }
        }

        // Nodes and jobs are grouped by class once, so a sample costs one pass whatever the number of pools.
        var nodesByClass = new Dictionary<string, (int Ready, int Busy)>(StringComparer.Ordinal);
        foreach (var node in state.Nodes.Values)
        {
            if (node.Status == NodeStatus.Down) continue;
            var (ready, busy) = nodesByClass.GetValueOrDefault(node.NodeClass);
            nodesByClass[node.NodeClass] = (ready + (node.Status == NodeStatus.Ready ? 1 : 0), busy + (busyNodes.Contains(node.ID) ? 1 : 0));
        }

        var jobsByClass = new Dictionary<string, List<SimJob>>(StringComparer.Ordinal);
        foreach (var job in state.Jobs.Values)
        {
            if (job.Type is "system" or "sysbatch") continue;
            foreach (var nodeClass in Classes(job))
            {
                if (!jobsByClass.TryGetValue(nodeClass, out var list)) jobsByClass[nodeClass] = list = [];
                list.Add(job);
            }
        }

        foreach (var track in tracks)
        {
            var sample = track.IsCluster
                ? SampleCluster(track, now, running, started, nodesByClass.GetValueOrDefault(track.NodeClass!), jobsByClass.GetValueOrDefault(track.NodeClass!) ?? [])
                : SampleGroup(track, now, running, started);
            track.Last = sample;
            if (track.BoundChanges.Count == 0 || track.BoundChanges[^1].Value != sample.Bound) track.BoundChanges.Add((now, sample.Bound));
        }

        if (now - _lastTimeline >= timelineStep)
        {
            _lastTimeline = now;
            foreach (var track in tracks) track.Timeline.Add(track.Last!);
        }
    }

    /// <summary>Closes the integrals at the end of the run; allocations still waiting count with the wait so far.</summary>
    public void Finish(DateTimeOffset end)
    {
        Sample(end);
        foreach (var track in tracks)
        {
            track.Timeline.Add(track.Last!);
            foreach (var queue in track.Wanted.Values)
            {
                foreach (var since in queue) track.Waits.Add((end - since).TotalSeconds);
            }
        }
    }

    private static void Integrate(PolicyTrack track, LabSample last, double dt)
    {
        track.NodeSeconds += last.Capacity * dt;
        track.BoundNodeSeconds += last.Bound * dt;
        track.IdleNodeSeconds += last.Idle * dt;
        track.UnplacedAllocSeconds += last.Missing * dt;
        if (!track.IsCluster)
        {
            track.AllocSeconds += last.Ready * dt;
            track.ExcessAllocSeconds += Math.Max(0, last.Ready - last.Bound) * dt;
            if (last.Load > 0 && last.Ready < last.Bound) track.OverloadSeconds += dt;
        }
    }

    private LabSample SampleCluster(PolicyTrack track, DateTimeOffset now, Dictionary<string, int> running,
        Dictionary<string, List<DateTimeOffset>> started, (int Ready, int Busy) nodes, List<SimJob> jobs)
    {
        var demand = new List<(int Count, int Cpu, int Memory)>();
        var missing = 0;
        foreach (var job in jobs)
        {
            foreach (var group in job.TaskGroups)
            {
                var wanted = job.Stop ? 0 : group.Count;
                var key = JobKey(job.Namespace, job.ID, group.Name);
                var run = running.GetValueOrDefault(key);
                missing += Math.Max(0, wanted - run);
                TrackWaits(track, key, wanted, run, started.GetValueOrDefault(key), now);
                demand.Add((wanted, group.Tasks.Sum(t => t.Cpu), group.Tasks.Sum(t => t.MemoryMB)));
            }
        }

        var bound = Bound(track, demand);
        var capacity = liveServers(track.CloudPool!);
        return new LabSample(now, capacity, nodes.Ready, bound, missing, Math.Max(0, capacity - nodes.Busy), 0);
    }

    private LabSample SampleGroup(PolicyTrack track, DateTimeOffset now, Dictionary<string, int> running, Dictionary<string, List<DateTimeOffset>> started)
    {
        var key = JobKey(track.Namespace, track.Job!, track.Group!);
        if (!state.Jobs.TryGetValue((track.Namespace, track.Job!), out var job) || job.Group(track.Group!) is not { } group)
            return new LabSample(now, 0, 0, (int)track.Policy.Min, 0, 0, 0);

        var wanted = job.Stop ? 0 : group.Count;
        var run = running.GetValueOrDefault(key);
        TrackWaits(track, key, wanted, run, started.GetValueOrDefault(key), now);
        var allocCpu = Math.Max(1, group.Tasks.Sum(t => t.Cpu));
        var load = state.Usage.TryGetValue((track.Namespace, track.Job!), out var usage)
            ? usage.CpuLoadMhz ?? (usage.CpuPercent is { } percent ? percent / 100 * allocCpu * run : 0)
            : 0;
        // The fewest allocations that carry the load at full use of what each was given.
        var ideal = (int)Math.Clamp((long)Math.Ceiling(load / allocCpu), track.Policy.Min, track.Policy.Max);
        return new LabSample(now, wanted, run, ideal, Math.Max(0, wanted - run), 0, load);
    }

    /// <summary>Missing allocations queue up by the time they were first wanted; each one that starts takes the oldest
    /// place (the scheduler places in order), and a lowered count cancels the newest.</summary>
    private static void TrackWaits(PolicyTrack track, string key, int wanted, int running, List<DateTimeOffset>? startedNow, DateTimeOffset now)
    {
        if (!track.Wanted.TryGetValue(key, out var queue)) track.Wanted[key] = queue = new LinkedList<DateTimeOffset>();
        if (startedNow is not null)
        {
            foreach (var at in startedNow.Order())
            {
                if (queue.First is null) break;
                track.Waits.Add(Math.Max(0, (at - queue.First.Value).TotalSeconds));
                queue.RemoveFirst();
            }
        }

        var missing = Math.Max(0, wanted - running);
        while (queue.Count < missing) queue.AddLast(now);
        while (queue.Count > missing)
        {
            // Wanted, never run, and no longer wanted: its whole wait counts, or a policy that never places work
            // would look as good as one that places it at once.
            track.Waits.Add((now - queue.Last!.Value).TotalSeconds);
            queue.RemoveLast();
        }
    }

    /// <summary>The bound changes only when the demand does; packing is redone only then.</summary>
    private int Bound(PolicyTrack track, List<(int Count, int Cpu, int Memory)> demand)
    {
        if (track.LastDemand is { } last && last.SequenceEqual(demand)) return track.LastBound;
        var bound = CapacityBound.Nodes(demand, nodeCpu, nodeMemory);
        track.LastBound = (int)Math.Clamp(bound < 0 ? track.Policy.Max : bound, track.Policy.Min, track.Policy.Max);
        track.LastDemand = demand;
        return track.LastBound;
    }

    /// <summary>The node classes a job is pinned to by an equality constraint on <c>${node.class}</c>.</summary>
    private static IEnumerable<string> Classes(SimJob job) =>
        job.Constraints.Concat(job.TaskGroups.SelectMany(g => g.Constraints))
            .Where(c => c.LTarget == "${node.class}" && c.Operand is "=" or "==")
            .Select(c => c.RTarget)
            .Distinct(StringComparer.Ordinal);

    private static string JobKey(string ns, string job, string group) => $"{ns}\u0000{job}\u0000{group}";
}
