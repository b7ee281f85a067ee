using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Simulator.State;

/// <summary>
/// The scheduler: reconcile every job toward its desired counts, best-fit bin-packing (CPU first, then memory)
/// onto ready, eligible, feasible nodes; what does not fit stays queued behind a blocked evaluation and is placed
/// as soon as capacity appears.
/// </summary>
internal sealed partial class ClusterState
{
    private int _placedThisJob;

    private void Reconcile()
    {
        foreach (var job in Jobs.Values.OrderByDescending(j => j.Priority).ThenBy(j => j.CreateIndex).ToList())
        {
            _placedThisJob = 0;
            var queued = job.Type is "system" or "sysbatch" ? ReconcileSystem(job) : ReconcileService(job);
            var key = (job.Namespace, job.ID);
            var hadQueued = Queued.TryGetValue(key, out var before) && before.Values.Sum() > 0;
            if (hadQueued && _placedThisJob > 0)
            {
                // Work that waited for capacity now runs: the moment an autoscaled pool pays off.
                Logger?.Hclog(LogLevel.Information, "queued allocations placed", ("job", job.ID), ("placed", _placedThisJob), ("still_queued", queued.Values.Sum()));
            }

            var hasQueued = queued.Values.Sum() > 0;
            if (hasQueued)
            {
                if (!hadQueued || !before!.OrderBy(p => p.Key).SequenceEqual(queued.OrderBy(p => p.Key)))
                {
                    Queued[key] = queued;
                    EnsureBlockedEval(job, queued);
                }
            }
            else if (hadQueued)
            {
                Queued.Remove(key);
                ResolveBlockedEvals(job);
            }
        }

        foreach (var key in Queued.Keys.Where(k => !Jobs.ContainsKey(k)).ToList())
        {
            Queued.Remove(key);
        }

        // The in-process scheduler has already acted on every pending evaluation.
        foreach (var eval in Evaluations.Values.Where(e => e.Status == "pending"))
        {
            eval.Status = "complete";
            eval.ModifyIndex = NextIndex(TableEvals);
            eval.ModifyTime = NowUnixNano;
            if (Queued.TryGetValue((eval.Namespace, eval.JobID), out var q))
            {
                eval.QueuedAllocations = new Dictionary<string, int>(q);
            }
        }
    }

    private Dictionary<string, int> ReconcileService(SimJob job)
    {
        var queued = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in job.TaskGroups)
        {
            var allocs = Allocations.Values
                .Where(a => a.Namespace == job.Namespace && a.JobID == job.ID && a.TaskGroup == group.Name && a.JobCreateIndex == job.CreateIndex)
                .ToList();
            var replacing = new Queue<SimAllocation>();
            foreach (var migrating in allocs.Where(a => a.MigrateTransition == true && !a.Terminal))
            {
                StopAlloc(migrating, "alloc is being migrated");
                replacing.Enqueue(migrating);
            }

            foreach (var lost in allocs.Where(a => a.ClientStatus == ClientStatus.Lost && a.NextAllocation is null))
            {
                replacing.Enqueue(lost);
            }

            var live = allocs.Where(a => !a.Terminal).OrderBy(a => a.NameIndex).ToList();
            var desired = job.Stop ? 0 : group.Count;
            var satisfied = live.Count;
            if (job.Type == "batch")
            {
                satisfied += allocs.Count(a => a.ClientStatus == ClientStatus.Complete && a.DesiredStatus == "run");
            }

            if (live.Count > desired)
            {
                foreach (var extra in live.OrderByDescending(a => a.NameIndex).Take(live.Count - desired))
                {
                    StopAlloc(extra, "alloc not needed due to job update");
                }

                continue;
            }

            var missing = desired - satisfied;
            if (missing <= 0)
            {
                continue;
            }

            var usedIndexes = live.Select(a => a.NameIndex).ToHashSet();
            var unplaced = 0;
            var nameIndex = 0;
            for (var i = 0; i < missing; i++)
            {
                while (usedIndexes.Contains(nameIndex))
                {
                    nameIndex++;
                }

                var previous = replacing.Count > 0 ? replacing.Peek() : null;
                if (TryPlace(job, group, nameIndex, previous) is not null)
                {
                    usedIndexes.Add(nameIndex);
                    if (previous is not null)
                    {
                        replacing.Dequeue();
                    }
                }
                else
                {
                    unplaced = missing - i;
                    break;
                }
            }

            if (unplaced > 0)
            {
                queued[group.Name] = unplaced;
            }
        }

        return queued;
    }

    private Dictionary<string, int> ReconcileSystem(SimJob job)
    {
        var queued = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in job.TaskGroups)
        {
            var allocs = Allocations.Values
                .Where(a => a.Namespace == job.Namespace && a.JobID == job.ID && a.TaskGroup == group.Name && a.JobCreateIndex == job.CreateIndex)
                .ToList();
            if (job.Stop || group.Count == 0)
            {
                foreach (var alloc in allocs.Where(a => !a.Terminal))
                {
                    StopAlloc(alloc, "alloc not needed due to job update");
                }

                continue;
            }

            foreach (var node in Nodes.Values.OrderBy(n => n.ID, StringComparer.Ordinal))
            {
                if (!Schedulable(node) || !Feasible(job, group, node))
                {
                    continue;
                }

                var hasLive = allocs.Any(a => a.NodeID == node.ID && !a.Terminal);
                var finishedBatch = job.Type == "sysbatch" && allocs.Any(a => a.NodeID == node.ID && a.ClientStatus == ClientStatus.Complete && a.DesiredStatus == "run");
                if (hasLive || finishedBatch)
                {
                    continue;
                }

                if (Fits(node, group))
                {
                    Place(job, group, node, 0, null, 1);
                }
                else
                {
                    queued[group.Name] = queued.GetValueOrDefault(group.Name) + 1;
                }
            }
        }

        return queued;
    }

    private SimAllocation? TryPlace(SimJob job, SimTaskGroup group, int nameIndex, SimAllocation? previous)
    {
        var candidates = Nodes.Values.Where(n => Schedulable(n) && Feasible(job, group, n)).ToList();
        SimNode? best = null;
        (long Cpu, long Mem) bestLeft = (long.MaxValue, long.MaxValue);
        foreach (var node in candidates)
        {
            var (freeCpu, freeMem) = Free(node);
            var leftCpu = freeCpu - group.CpuTotal;
            var leftMem = freeMem - group.MemoryTotal;
            if (leftCpu < 0 || leftMem < 0)
            {
                continue;
            }

            if (leftCpu < bestLeft.Cpu || (leftCpu == bestLeft.Cpu && leftMem < bestLeft.Mem)
                || (leftCpu == bestLeft.Cpu && leftMem == bestLeft.Mem && string.CompareOrdinal(node.ID, best!.ID) < 0))
            {
                best = node;
                bestLeft = (leftCpu, leftMem);
            }
        }

        return best is null ? null : Place(job, group, best, nameIndex, previous, candidates.Count);
    }

    private SimAllocation Place(SimJob job, SimTaskGroup group, SimNode node, int nameIndex, SimAllocation? previous, int evaluated)
    {
        var index = PlanIndex();
        var (freeCpu, freeMem) = Free(node);
        var evalId = Evaluations.Values.Where(e => e.Namespace == job.Namespace && e.JobID == job.ID)
            .OrderByDescending(e => e.CreateIndex).FirstOrDefault()?.ID ?? Settings.NewId();
        var alloc = new SimAllocation
        {
            ID = Settings.NewId(),
            EvalID = evalId,
            Name = $"{job.ID}.{group.Name}[{nameIndex}]",
            NameIndex = nameIndex,
            Namespace = job.Namespace,
            NodeID = node.ID,
            NodeName = node.Name,
            JobID = job.ID,
            JobType = job.Type,
            Job = job,
            JobCreateIndex = job.CreateIndex,
            JobVersion = job.Version,
            TaskGroup = group.Name,
            TaskResources = [.. group.Tasks.Select(t => (t.Name, t.Cpu, t.MemoryMB))],
            DiskMB = group.EphemeralDiskMB,
            CreateIndex = index,
            ModifyIndex = index,
            AllocModifyIndex = index,
            CreateTime = NowUnixNano,
            ModifyTime = NowUnixNano,
            StartAt = Now + Settings.AllocStartDelay,
            PreviousAllocation = previous?.ID,
            NodesEvaluated = evaluated,
            BinpackScore = Math.Clamp(1 - ((freeCpu - group.CpuTotal) / (double)Math.Max(1, node.CpuShares - node.ReservedCpu)), 0, 1),
        };
        alloc.TaskEvents.Add(("Received", NowUnixNano, "Task received by client"));
        if (previous is not null)
        {
            previous.NextAllocation = alloc.ID;
            TouchAlloc(previous);
        }

        Allocations[alloc.ID] = alloc;
        _placedThisJob++;
        return alloc;
    }

    internal static bool Schedulable(SimNode node) =>
        node.Status == NodeStatus.Ready && node.SchedulingEligibility == "eligible" && node.DrainStrategy is null;

    internal bool Fits(SimNode node, SimTaskGroup group)
    {
        var (cpu, mem) = Free(node);
        return cpu >= group.CpuTotal && mem >= group.MemoryTotal;
    }

    internal (long Cpu, long Mem) Free(SimNode node)
    {
        long cpu = node.CpuShares - node.ReservedCpu;
        long mem = node.MemoryMB - node.ReservedMemoryMB;
        foreach (var alloc in Allocations.Values)
        {
            if (alloc.NodeID == node.ID && !alloc.Terminal)
            {
                cpu -= alloc.Cpu;
                mem -= alloc.MemoryMB;
            }
        }

        return (cpu, mem);
    }

    internal static bool Feasible(SimJob job, SimTaskGroup group, SimNode node)
    {
        if (job.NodePool != "all" && job.NodePool != node.NodePool)
        {
            return false;
        }

        if (!job.Datacenters.Any(dc => GlobMatch(dc, node.Datacenter)))
        {
            return false;
        }

        return job.Constraints.Concat(group.Constraints).Concat(group.Tasks.SelectMany(t => t.Constraints))
            .All(c => ConstraintHolds(c, node));
    }

    private static bool ConstraintHolds(SimConstraint constraint, SimNode node)
    {
        var left = Interpolate(constraint.LTarget, node);
        var right = Interpolate(constraint.RTarget, node);
        return constraint.Operand switch
        {
            "=" or "==" or "is" => left is not null && left == right,
            "!=" or "not" => left != right,
            "is_set" => left is not null,
            "is_not_set" => left is null,
            "regexp" => left is not null && right is not null && Regex.IsMatch(left, right, RegexOptions.None, TimeSpan.FromSeconds(1)),
            "set_contains" or "set_contains_all" => left is not null && right is not null &&
                right.Split(',', StringSplitOptions.TrimEntries).All(r => left.Split(',', StringSplitOptions.TrimEntries).Contains(r)),
            "set_contains_any" => left is not null && right is not null &&
                right.Split(',', StringSplitOptions.TrimEntries).Any(r => left.Split(',', StringSplitOptions.TrimEntries).Contains(r)),
            // distinct_hosts, distinct_property, version and the like are accepted without effect.
            _ => true,
        };
    }

    private static string? Interpolate(string target, SimNode node)
    {
        if (!target.StartsWith("${", StringComparison.Ordinal) || !target.EndsWith('}'))
        {
            return target;
        }

        var name = target[2..^1];
        return name switch
        {
            "node.class" => node.NodeClass,
            "node.datacenter" => node.Datacenter,
            "node.pool" => node.NodePool,
            "node.unique.id" => node.ID,
            "node.unique.name" => node.Name,
            _ when name.StartsWith("attr.", StringComparison.Ordinal) => node.Attributes.GetValueOrDefault(name[5..]),
            _ when name.StartsWith("meta.", StringComparison.Ordinal) => node.Meta.GetValueOrDefault(name[5..]),
            _ => null,
        };
    }

    private static bool GlobMatch(string pattern, string value)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return pattern == value;
        }

        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, RegexOptions.None, TimeSpan.FromSeconds(1));
    }

    private void EnsureBlockedEval(SimJob job, Dictionary<string, int> queued)
    {
        var blocked = Evaluations.Values.FirstOrDefault(e => e.Namespace == job.Namespace && e.JobID == job.ID && e.Status == "blocked");
        var index = NextIndex(TableEvals);
        if (blocked is null)
        {
            var trigger = Evaluations.Values.Where(e => e.Namespace == job.Namespace && e.JobID == job.ID)
                .OrderByDescending(e => e.CreateIndex).FirstOrDefault();
            blocked = NewEvaluation(job, "queued-allocs", index);
            blocked.Status = "blocked";
            blocked.StatusDescription = "created to place remaining allocations";
            blocked.PreviousEval = trigger?.ID ?? "";
            if (trigger is not null)
            {
                trigger.BlockedEval = blocked.ID;
                trigger.ModifyIndex = index;
            }
        }

        blocked.QueuedAllocations = new Dictionary<string, int>(queued);
        blocked.FailedTGAllocs = queued.ToDictionary(
            q => q.Key,
            q => (Nodes.Count, Nodes.Values.Count(Schedulable), "cpu"));
        blocked.ModifyIndex = index;
        blocked.ModifyTime = NowUnixNano;
    }

    private void ResolveBlockedEvals(SimJob job)
    {
        foreach (var blocked in Evaluations.Values.Where(e => e.Namespace == job.Namespace && e.JobID == job.ID && e.Status == "blocked"))
        {
            blocked.Status = "complete";
            blocked.QueuedAllocations = null;
            blocked.ModifyIndex = NextIndex(TableEvals);
            blocked.ModifyTime = NowUnixNano;
        }
    }
}
