using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.State;

internal sealed partial class ClusterState
{
    /// <summary><c>POST /v1/jobs</c> / <c>/v1/job/:id</c>. Returns (EvalID, EvalCreateIndex, JobModifyIndex, Index).</summary>
    public (string EvalId, ulong EvalCreateIndex, ulong JobModifyIndex) RegisterJob(SimJob job)
    {
        var key = (job.Namespace, job.ID);
        var index = NextIndex(TableJobs);
        var now = NowUnixNano;
        if (Jobs.TryGetValue(key, out var existing) && !existing.Stop)
        {
            job.CreateIndex = existing.CreateIndex;
            job.Version = existing.Version + 1;
            job.Status = existing.Status;
        }
        else if (existing is not null)
        {
            // Re-running a stopped job keeps its identity (same CreateIndex) like `nomad job run` after a stop.
            job.CreateIndex = existing.CreateIndex;
            job.Version = existing.Version + 1;
            job.Status = "pending";
        }
        else
        {
            job.CreateIndex = index;
            job.Status = "pending";
        }

        job.ModifyIndex = index;
        job.JobModifyIndex = index;
        job.SubmitTime = now;
        Jobs[key] = job;
        SyncPolicies(job);
        if (job.Periodic || job.Parameterized)
        {
            return ("", 0, index);
        }

        var evalIndex = NextIndex(TableEvals);
        var eval = NewEvaluation(job, "job-register", evalIndex);
        return (eval.ID, evalIndex, index);
    }

    /// <summary><c>DELETE /v1/job/:id</c>: stop (policies disabled) or purge (policies deleted).</summary>
    public (string EvalId, ulong EvalCreateIndex, ulong JobModifyIndex) DeregisterJob(string ns, string id, bool purge)
    {
        if (!Jobs.TryGetValue((ns, id), out var job))
        {
            throw new NomadError(404, "job not found");
        }

        var index = NextIndex(TableJobs);
        if (purge)
        {
            Jobs.Remove((ns, id));
            ScalingEvents.Remove((ns, id));
        }
        else
        {
            var stopped = job.Clone();
            stopped.Stop = true;
            stopped.ModifyIndex = index;
            stopped.JobModifyIndex = index;
            stopped.Version = job.Version + 1;
            Jobs[(ns, id)] = stopped;
            job = stopped;
        }

        SyncPolicies(job, removeAll: purge);
        var evalIndex = NextIndex(TableEvals);
        var eval = NewEvaluation(job, "job-deregister", evalIndex);
        if (purge)
        {
            foreach (var alloc in Allocations.Values.Where(a => a.Namespace == ns && a.JobID == id && !a.Terminal))
            {
                StopAlloc(alloc, "alloc not needed due to job update");
            }
        }

        return (eval.ID, evalIndex, index);
    }

    /// <summary>
    /// <c>PUT|POST /v1/job/:id/scale</c> after the HTTP-level checks, validating in Nomad's order.
    /// Returns (EvalID, EvalCreateIndex, JobModifyIndex, Index, PreviousCount).
    /// </summary>
    public (string EvalId, ulong EvalCreateIndex, ulong JobModifyIndex, ulong Index, long? PreviousCount) ScaleJob(
        string ns, string jobId, string? group, long? count, bool error, string message, JsonObject? meta, bool policyOverride)
    {
        if (string.IsNullOrEmpty(group))
        {
            throw new NomadError(400, "missing task group name for scaling action");
        }

        if (count is < 0)
        {
            throw new NomadError(400, "scaling action count can't be negative");
        }

        if (error && count is not null)
        {
            throw new NomadError(400, "scaling action should not contain count if error is true");
        }

        if (!Jobs.TryGetValue((ns, jobId), out var job))
        {
            throw new NomadError(404, $"job \"{jobId}\" not found");
        }

        if (job.Type == "system" && count is > 1)
        {
            throw new NomadError(400, "jobs of type \"system\" can only be scaled between 0 and 1");
        }

        var tg = job.Group(group) ?? throw new NomadError(400, $"task group \"{group}\" specified for scaling does not exist in job");
        var previous = (long)tg.Count;
        string evalId = "";
        ulong evalIndex = 0;
        var jobModifyIndex = job.ModifyIndex;
        if (count is { } newCount)
        {
            if (tg.Scaling is { } scaling && !policyOverride)
            {
                var min = scaling.Min ?? 0;
                if (newCount < min)
                {
                    throw new NomadError(400, $"group count was less than scaling policy minimum: {newCount} < {min}");
                }

                if (newCount > scaling.Max)
                {
                    throw new NomadError(400, $"group count was greater than scaling policy maximum: {newCount} > {scaling.Max}");
                }
            }

            var total = job.TaskGroups.Sum(g => g.Name == group ? newCount : g.Count);
            if (total > Settings.JobMaxCount)
            {
                throw new NomadError(500, $"total count was greater than configured job_max_count: {total} > {Settings.JobMaxCount}");
            }

            if (Deployments.Any(d => d.Namespace == ns && d.JobID == jobId && d.JobCreateIndex == job.CreateIndex && d.Status is "running" or "paused" or "pending" or "blocked" or "unblocking" or "initializing"))
            {
                throw new NomadError(400, "job scaling blocked due to active deployment");
            }

            var updated = job.Clone();
            updated.Group(group)!.Count = (int)newCount;
            updated.Version = job.Version + 1;
            jobModifyIndex = NextIndex(TableJobs);
            updated.ModifyIndex = jobModifyIndex;
            updated.JobModifyIndex = jobModifyIndex;
            updated.SubmitTime = NowUnixNano;
            Jobs[(ns, jobId)] = updated;
            job = updated;
            if (!job.Periodic && !job.Parameterized)
            {
                evalIndex = NextIndex(TableEvals);
                evalId = NewEvaluation(job, "job-scaling", evalIndex).ID;
            }
        }

        var eventIndex = NextIndex(TableScalingEvents);
        if (!ScalingEvents.TryGetValue((ns, jobId), out var record))
        {
            record = new SimJobScalingEvents();
            ScalingEvents[(ns, jobId)] = record;
        }

        if (!record.ByGroup.TryGetValue(group, out var events))
        {
            events = [];
            record.ByGroup[group] = events;
        }

        events.Insert(0, new SimScalingEvent
        {
            Time = NowUnixNano,
            Count = count,
            PreviousCount = previous,
            Message = message,
            Error = error,
            Meta = meta,
            EvalID = evalId.Length == 0 ? null : evalId,
            CreateIndex = eventIndex,
        });
        if (events.Count > 20)
        {
            events.RemoveRange(20, events.Count - 20);
        }

        record.ModifyIndex = eventIndex;
        return (evalId, evalIndex, jobModifyIndex, eventIndex, previous);
    }

    /// <summary>The client reports the job's running allocations finished (batch work done).</summary>
    public int CompleteAllocations(string ns, string jobId)
    {
        var done = 0;
        foreach (var alloc in Allocations.Values.Where(a => a.Namespace == ns && a.JobID == jobId && a.ClientStatus == ClientStatus.Running && !a.ServerTerminal))
        {
            alloc.ClientStatus = ClientStatus.Complete;
            alloc.ClientDescription = "All tasks have completed";
            alloc.FinishedAt = Now;
            alloc.TaskEvents.Add(("Terminated", NowUnixNano, "Exit Code: 0"));
            TouchAlloc(alloc);
            done++;
        }

        return done;
    }

    public SimDeployment StartDeployment(string ns, string jobId)
    {
        if (!Jobs.TryGetValue((ns, jobId), out var job))
        {
            throw new InvalidOperationException($"job {jobId} not found in namespace {ns}");
        }

        NextIndex(TableDeployments);
        var deployment = new SimDeployment { ID = Settings.NewId(), Namespace = ns, JobID = jobId, JobCreateIndex = job.CreateIndex };
        Deployments.Add(deployment);
        return deployment;
    }

    public void FinishDeployments(string ns, string jobId)
    {
        foreach (var deployment in Deployments.Where(d => d.Namespace == ns && d.JobID == jobId && d.Status == "running"))
        {
            deployment.Status = "successful";
            NextIndex(TableDeployments);
        }
    }

    private SimEvaluation NewEvaluation(SimJob job, string triggeredBy, ulong index)
    {
        var eval = new SimEvaluation
        {
            ID = Settings.NewId(),
            Namespace = job.Namespace,
            Priority = job.Priority,
            Type = job.Type,
            TriggeredBy = triggeredBy,
            JobID = job.ID,
            JobModifyIndex = job.JobModifyIndex,
            CreateIndex = index,
            ModifyIndex = index,
            CreateTime = NowUnixNano,
            ModifyTime = NowUnixNano,
        };
        Evaluations[eval.ID] = eval;
        return eval;
    }

    /// <summary>Policies follow the job's scaling blocks; content changes alone move their indexes.</summary>
    private void SyncPolicies(SimJob job, bool removeAll = false)
    {
        var existing = Policies.Values.Where(p => p.Namespace == job.Namespace && p.JobID == job.ID).ToList();
        var changed = false;
        var keep = new HashSet<string>(StringComparer.Ordinal);
        if (!removeAll)
        {
            foreach (var group in job.TaskGroups)
            {
                if (group.Scaling is not { } scaling)
                {
                    continue;
                }

                var policy = existing.Find(p => p.Group == group.Name && p.Type == scaling.Type);
                var min = scaling.Min ?? group.Count;
                var enabled = scaling.Enabled && !job.Stop;
                var policyBody = scaling.Policy ?? [];
                if (policy is null)
                {
                    policy = new SimScalingPolicy
                    {
                        ID = Settings.NewId(),
                        Namespace = job.Namespace,
                        JobID = job.ID,
                        Group = group.Name,
                        Type = scaling.Type,
                    };
                    Policies[policy.ID] = policy;
                    policy.Min = min;
                    policy.Max = scaling.Max;
                    policy.Enabled = enabled;
                    policy.Policy = (JsonObject)policyBody.DeepClone();
                    policy.CreateIndex = policy.ModifyIndex = _raftIndex;
                    changed = true;
                }
                else if (policy.Min != min || policy.Max != scaling.Max || policy.Enabled != enabled || !JsonNode.DeepEquals(policy.Policy, policyBody))
                {
                    policy.Min = min;
                    policy.Max = scaling.Max;
                    policy.Enabled = enabled;
                    policy.Policy = (JsonObject)policyBody.DeepClone();
                    policy.ModifyIndex = _raftIndex;
                    changed = true;
                }

                keep.Add(policy.ID);
            }
        }

        foreach (var stale in existing.Where(p => !keep.Contains(p.ID)))
        {
            Policies.Remove(stale.ID);
            changed = true;
        }

        if (changed)
        {
            _tableIndexes[TablePolicies] = _raftIndex;
        }
    }

    private void UpdateJobStatuses()
    {
        foreach (var job in Jobs.Values)
        {
            var allocs = Allocations.Values.Where(a => a.Namespace == job.Namespace && a.JobID == job.ID).ToList();
            string status;
            if (allocs.Any(a => !a.ClientTerminal && a.ClientStatus is ClientStatus.Running or ClientStatus.Pending && !a.ServerTerminal)
                || allocs.Any(a => a.ClientStatus == ClientStatus.Running))
            {
                status = "running";
            }
            else if (job.Stop || (job.Type == "batch" && allocs.Count > 0 && allocs.All(a => a.ClientTerminal)))
            {
                status = "dead";
            }
            else
            {
                status = "pending";
            }

            if (status != job.Status)
            {
                job.Status = status;
                job.ModifyIndex = NextIndex(TableJobs);
            }
        }
    }
}
