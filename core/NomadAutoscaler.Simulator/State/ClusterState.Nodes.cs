namespace NomadAutoscaler.Simulator.State;

internal sealed partial class ClusterState
{
    public SimNode AddNodeCore(SimulatorNodeSpec spec, string? cloudServerId = null)
    {
        var id = string.IsNullOrEmpty(spec.Id) ? Settings.NewId() : spec.Id;
        if (Nodes.ContainsKey(id))
        {
            throw new InvalidOperationException($"node {id} already exists");
        }

        var name = string.IsNullOrEmpty(spec.Name) ? NewNodeName() : spec.Name;
        var index = NextIndex(TableNodes);
        var now = Now;
        var node = new SimNode
        {
            ID = id,
            Name = name,
            Datacenter = spec.Datacenter,
            NodeClass = spec.NodeClass,
            NodePool = string.IsNullOrEmpty(spec.NodePool) ? "default" : spec.NodePool,
            CpuShares = spec.Cpu,
            TotalCpuCores = Math.Max(1, spec.Cpu / 2000),
            MemoryMB = spec.MemoryMB,
            DiskMB = spec.DiskMB,
            ReservedCpu = spec.ReservedCpu,
            ReservedMemoryMB = spec.ReservedMemoryMB,
            Status = spec.StartInitializing ? NodeStatus.Initializing : NodeStatus.Ready,
            ReadyAt = now + Settings.NodeInitializeDelay,
            StatusUpdatedAt = now.ToUnixTimeSeconds(),
            CreateIndex = index,
            ModifyIndex = index,
            CloudServerId = cloudServerId,
        };
        var attributes = node.Attributes;
        attributes["unique.hostname"] = name;
        attributes["unique.network.ip-address"] = node.Address;
        attributes["kernel.name"] = "linux";
        attributes["os.name"] = "ubuntu";
        attributes["cpu.arch"] = "amd64";
        attributes["cpu.numcores"] = node.TotalCpuCores.ToString(System.Globalization.CultureInfo.InvariantCulture);
        attributes["cpu.totalcompute"] = spec.Cpu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        attributes["memory.totalbytes"] = ((long)spec.MemoryMB * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        attributes["nomad.version"] = NomadVersion.Version;
        attributes["nomad.revision"] = NomadVersion.Revision;
        attributes["nomad.advertise.address"] = node.Address + ":4646";
        attributes["driver.docker"] = "1";
        attributes["driver.exec"] = "1";
        if (spec.Attributes is not null)
        {
            foreach (var (key, value) in spec.Attributes)
            {
                attributes[key] = value;
            }
        }

        if (spec.Meta is not null)
        {
            foreach (var (key, value) in spec.Meta)
            {
                node.Meta[key] = value;
            }
        }

        if (spec.HostVolumes is not null)
        {
            foreach (var (key, value) in spec.HostVolumes)
            {
                node.HostVolumes[key] = value;
            }
        }

        node.Events.Add(new SimNodeEvent("Node registered", "Cluster", null, now, index));
        Nodes[id] = node;
        return node;
    }

    public void SetNodeStatusCore(SimNode node, string status)
    {
        if (node.Status == status)
        {
            return;
        }

        node.Status = status;
        node.StatusUpdatedAt = Now.ToUnixTimeSeconds();
        var index = NextIndex(TableNodes);
        node.ModifyIndex = index;
        AddNodeEvent(node, status switch
        {
            NodeStatus.Ready => "Node ready",
            NodeStatus.Down => "Node heartbeat missed",
            NodeStatus.Disconnected => "Node heartbeat missed",
            _ => "Node status changed",
        }, "Cluster", index);

        if (status is NodeStatus.Down or NodeStatus.Disconnected)
        {
            foreach (var alloc in AllocationsOnNode(node.ID).Where(a => !a.ClientTerminal))
            {
                if (status == NodeStatus.Down)
                {
                    alloc.ClientStatus = ClientStatus.Lost;
                    alloc.ClientDescription = "alloc is lost since its node is down";
                    alloc.DesiredStatus = "stop";
                    alloc.DesiredDescription = "alloc is lost since its node is down";
                }
                else
                {
                    alloc.ClientStatus = ClientStatus.Unknown;
                    alloc.ClientDescription = "alloc is unknown since its node is disconnected";
                }

                TouchAlloc(alloc);
            }

            CreateNodeEvals(node, "node-update");
        }
        else if (status == NodeStatus.Ready)
        {
            // A node coming back reconnects its unknown allocations.
            foreach (var alloc in AllocationsOnNode(node.ID).Where(a => a.ClientStatus == ClientStatus.Unknown))
            {
                alloc.ClientStatus = ClientStatus.Running;
                alloc.ClientDescription = "Tasks are running";
                TouchAlloc(alloc);
            }
        }
    }

    public IEnumerable<SimAllocation> AllocationsOnNode(string nodeId) => Allocations.Values.Where(a => a.NodeID == nodeId);

    public SimNode RequireNodeForWrite(string nodeId) =>
        Nodes.TryGetValue(nodeId, out var node) ? node : throw new NomadError(500, "node not found");

    /// <summary><c>PUT /v1/node/:id/drain</c>. Returns (NodeModifyIndex, EvalIDs, EvalCreateIndex, Index).</summary>
    public (ulong NodeModifyIndex, List<string>? EvalIds, ulong EvalCreateIndex, ulong Index) DrainNode(
        string nodeId, long? deadlineNs, bool ignoreSystemJobs, bool markEligible, Dictionary<string, string>? meta)
    {
        var node = RequireNodeForWrite(nodeId);
        var now = Now;
        var index = NextIndex(TableNodes);
        node.ModifyIndex = index;
        List<string>? evalIds = null;
        ulong evalIndex = 0;
        if (deadlineNs is { } deadline)
        {
            var updating = node.DrainStrategy is not null;
            var strategy = new SimDrainStrategy
            {
                DeadlineNs = deadline,
                IgnoreSystemJobs = ignoreSystemJobs,
                StartedAt = node.DrainStrategy?.StartedAt ?? now,
                ForceDeadline = deadline > 0 ? now + TimeSpan.FromTicks(deadline / 100) : null,
            };
            node.DrainStrategy = strategy;
            node.SchedulingEligibility = "ineligible";
            var truncated = TruncateToSecond(now);
            node.LastDrain = new SimLastDrain
            {
                StartedAt = updating && node.LastDrain is not null ? node.LastDrain.StartedAt : truncated,
                UpdatedAt = truncated,
                Status = "draining",
                AccessorID = Settings.AccessorIdentity,
                Meta = meta,
            };
            AddNodeEvent(node, updating ? "Node drain strategy updated" : "Node drain strategy set", "Drain", index);
            foreach (var alloc in AllocationsOnNode(node.ID))
            {
                if (!alloc.Terminal && alloc.JobType == "service" && alloc.MigrateTransition != true)
                {
                    alloc.MigrateTransition = true;
                    alloc.ModifyIndex = index;
                    alloc.ModifyTime = NowUnixNano;
                    _tableIndexes[TableAllocs] = index;
                }
            }
        }
        else
        {
            if (node.DrainStrategy is not null)
            {
                node.DrainStrategy = null;
                if (node.LastDrain is not null)
                {
                    node.LastDrain.Status = "canceled";
                    node.LastDrain.UpdatedAt = TruncateToSecond(now);
                }

                AddNodeEvent(node, "Node drain disabled", "Drain", index);
            }

            if (markEligible && node.SchedulingEligibility != "eligible")
            {
                node.SchedulingEligibility = "eligible";
                (evalIds, evalIndex) = CreateNodeEvals(node, "node-update");
            }
        }

        return (index, evalIds, evalIndex, evalIndex > index ? evalIndex : index);
    }

    /// <summary><c>PUT /v1/node/:id/eligibility</c>.</summary>
    public (List<string>? EvalIds, ulong EvalCreateIndex, ulong Index) SetEligibility(string nodeId, string eligibility)
    {
        var node = RequireNodeForWrite(nodeId);
        if (eligibility is not ("eligible" or "ineligible"))
        {
            throw new NomadError(500, $"invalid scheduling eligibility \"{eligibility}\"");
        }

        if (node.DrainStrategy is not null && eligibility == "eligible")
        {
            throw new NomadError(500, "can not set node's scheduling eligibility to eligible while it is draining");
        }

        if (node.SchedulingEligibility == eligibility)
        {
            return (null, 0, 0);
        }

        var index = NextIndex(TableNodes);
        node.ModifyIndex = index;
        node.SchedulingEligibility = eligibility;
        AddNodeEvent(node, eligibility == "eligible" ? "Node marked as eligible for scheduling" : "Node marked as ineligible for scheduling", "Cluster", index);
        if (eligibility == "eligible")
        {
            var (evalIds, evalIndex) = CreateNodeEvals(node, "node-update");
            return (evalIds, evalIndex, evalIndex == 0 ? index : evalIndex);
        }

        return (null, 0, index);
    }

    /// <summary><c>PUT /v1/node/:id/purge</c>.</summary>
    public (List<string>? EvalIds, ulong EvalCreateIndex, ulong NodeModifyIndex, ulong Index) PurgeNode(string nodeId)
    {
        var node = RequireNodeForWrite(nodeId);
        var index = NextIndex(TableNodes);
        Nodes.Remove(node.ID);
        var lostAny = false;
        foreach (var alloc in AllocationsOnNode(node.ID).Where(a => !a.ClientTerminal).ToList())
        {
            alloc.ClientStatus = ClientStatus.Lost;
            alloc.ClientDescription = "alloc is lost since its node is down";
            alloc.DesiredStatus = "stop";
            alloc.DesiredDescription = "alloc is lost since its node is down";
            alloc.ModifyIndex = index;
            alloc.ModifyTime = NowUnixNano;
            _tableIndexes[TableAllocs] = index;
            lostAny = true;
        }

        var (evalIds, evalIndex) = lostAny || Jobs.Values.Any(j => j.Type == "system")
            ? CreateNodeEvals(node, "node-deregister")
            : (null, 0UL);
        return (evalIds, evalIndex, index, index);
    }

    /// <summary>Node-triggered evaluations: one per job with allocations on the node, plus every system job.</summary>
    private (List<string>? EvalIds, ulong Index) CreateNodeEvals(SimNode node, string triggeredBy)
    {
        var jobs = AllocationsOnNode(node.ID).Select(a => (a.Namespace, a.JobID))
            .Concat(Jobs.Values.Where(j => j.Type == "system").Select(j => (j.Namespace, j.ID)))
            .Distinct()
            .Where(Jobs.ContainsKey)
            .ToList();
        if (jobs.Count == 0)
        {
            return (null, 0);
        }

        var index = NextIndex(TableEvals);
        var ids = new List<string>();
        foreach (var key in jobs)
        {
            var job = Jobs[key];
            var eval = NewEvaluation(job, triggeredBy, index);
            eval.NodeID = node.ID;
            eval.NodeModifyIndex = node.ModifyIndex;
            ids.Add(eval.ID);
        }

        return (ids, index);
    }

    private void AdvanceDrains()
    {
        var now = Now;
        foreach (var node in Nodes.Values)
        {
            if (node.DrainStrategy is not { } drain)
            {
                continue;
            }

            var allocs = AllocationsOnNode(node.ID).ToList();
            var forced = drain.DeadlineNs < 0 || (drain.ForceDeadline is { } force && force <= now);
            if (forced)
            {
                foreach (var alloc in allocs.Where(a => !a.Terminal && (a.JobType != "system" || !drain.IgnoreSystemJobs)))
                {
                    alloc.MigrateTransition = alloc.JobType == "service" ? true : alloc.MigrateTransition;
                    StopAlloc(alloc, "alloc is being migrated");
                }

                CompleteDrain(node, deadlineReached: true);
                continue;
            }

            // Service allocations placed before the drain started are marked in DrainNode; a late arrival
            // (none should be placed on an ineligible node) would be marked here.
            foreach (var alloc in allocs.Where(a => !a.Terminal && a.JobType == "service" && a.MigrateTransition != true))
            {
                alloc.MigrateTransition = true;
                TouchAlloc(alloc);
            }

            if (allocs.Where(a => a.JobType != "system").All(a => a.ClientTerminal))
            {
                if (!drain.IgnoreSystemJobs)
                {
                    foreach (var alloc in allocs.Where(a => a.JobType == "system" && !a.Terminal))
                    {
                        StopAlloc(alloc, "alloc is being migrated");
                    }
                }

                CompleteDrain(node, deadlineReached: false);
            }
        }
    }

    private void CompleteDrain(SimNode node, bool deadlineReached)
    {
        var index = NextIndex(TableNodes);
        node.DrainStrategy = null;
        node.ModifyIndex = index;
        if (node.LastDrain is not null)
        {
            node.LastDrain.Status = "complete";
            node.LastDrain.UpdatedAt = TruncateToSecond(Now);
        }

        AddNodeEvent(node, "Node drain complete", "Drain", index,
            deadlineReached ? new Dictionary<string, string> { ["deadline_reached"] = "true" } : null);
    }

    private void AddNodeEvent(SimNode node, string message, string subsystem, ulong index, Dictionary<string, string>? details = null)
    {
        node.Events.Add(new SimNodeEvent(message, subsystem, details, Now, index));
        if (node.Events.Count > 10)
        {
            node.Events.RemoveAt(0);
        }
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
