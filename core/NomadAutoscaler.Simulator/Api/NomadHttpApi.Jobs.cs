using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

internal sealed partial class NomadHttpApi
{
    private Task ListJobsAsync(HttpContext context, ApiQuery query) =>
        BlockingReadAsync(context, query, () =>
        {
            var list = new JsonArray();
            // One pass over the allocations for the whole list rather than one per job: the list is read by every
            // demand query, and a pass per job made it cost jobs × allocations.
            var byJob = _state.Allocations.Values.ToLookup(a => (a.Namespace, a.JobID));
            foreach (var job in _state.Jobs.Values.Where(j => NamespaceMatches(query, j.Namespace) && j.ID.StartsWith(query.Prefix, StringComparison.Ordinal))
                         .OrderBy(j => j.ID, StringComparer.Ordinal))
            {
                list.Add(NomadJson.JobStub(job, Summary(job, byJob[(job.Namespace, job.ID)])));
            }

            return new ReadResult(Math.Max(1, _state.TableIndex(ClusterState.TableJobs)), list);
        });

    internal Dictionary<string, (int Queued, int Starting, int Running, int Complete, int Failed, int Lost)> Summary(SimJob job) =>
        Summary(job, _state.Allocations.Values.Where(a => a.Namespace == job.Namespace && a.JobID == job.ID));

    /// <summary>The summary of <paramref name="job"/> from <paramref name="jobAllocations"/>, its allocations.</summary>
    private Dictionary<string, (int Queued, int Starting, int Running, int Complete, int Failed, int Lost)> Summary(SimJob job, IEnumerable<SimAllocation> jobAllocations)
    {
        var queued = _state.Queued.GetValueOrDefault((job.Namespace, job.ID));
        var summary = new Dictionary<string, (int, int, int, int, int, int)>(StringComparer.Ordinal);
        foreach (var group in job.TaskGroups)
        {
            var allocs = jobAllocations.Where(a => a.TaskGroup == group.Name).ToList();
            summary[group.Name] = (
                queued?.GetValueOrDefault(group.Name) ?? 0,
                allocs.Count(a => a.ClientStatus == ClientStatus.Pending),
                allocs.Count(a => a.ClientStatus == ClientStatus.Running),
                allocs.Count(a => a.ClientStatus == ClientStatus.Complete),
                allocs.Count(a => a.ClientStatus == ClientStatus.Failed),
                allocs.Count(a => a.ClientStatus == ClientStatus.Lost));
        }

        return summary;
    }

    private async Task RegisterJobAsync(HttpContext context, ApiQuery query, string? urlJobId)
    {
        var body = await ReadBodyAsync(context, required: true);
        var job = JobParser.Parse(body, query.Namespace, _options.Region);
        if (urlJobId is not null && urlJobId != job.ID)
        {
            throw new NomadError(400, "Job ID does not match name");
        }

        var (evalId, evalIndex, jobModifyIndex) = _state.Write(() => _state.RegisterJob(job));
        var index = Math.Max(evalIndex, jobModifyIndex);
        await WriteJsonAsync(context, new JsonObject
        {
            ["EvalID"] = evalId,
            ["EvalCreateIndex"] = evalIndex,
            ["JobModifyIndex"] = jobModifyIndex,
            ["Warnings"] = "",
            ["Index"] = index,
            ["LastContact"] = 0,
            ["KnownLeader"] = false,
            ["NextToken"] = "",
        }, index, readMeta: false);
    }

    private Task JobAsync(HttpContext context, ApiQuery query, string rest)
    {
        if (rest.EndsWith("/scale", StringComparison.Ordinal))
        {
            var jobId = rest[..^"/scale".Length];
            return context.Request.Method switch
            {
                "GET" => ScaleStatusAsync(context, query, jobId),
                "PUT" or "POST" => ScaleAsync(context, query, jobId),
                _ => InvalidMethod(context),
            };
        }

        if (rest.EndsWith("/allocations", StringComparison.Ordinal))
        {
            return Method(context, "GET") ?? JobAllocationsAsync(context, query, rest[..^"/allocations".Length]);
        }

        if (rest.EndsWith("/evaluations", StringComparison.Ordinal))
        {
            var jobId = rest[..^"/evaluations".Length];
            return Method(context, "GET") ?? BlockingReadAsync(context, query, () => new ReadResult(
                Math.Max(1, _state.TableIndex(ClusterState.TableEvals)),
                new JsonArray([.. _state.Evaluations.Values.Where(e => e.Namespace == query.Namespace && e.JobID == jobId)
                    .OrderBy(e => e.CreateIndex).Select(e => (JsonNode)NomadJson.Evaluation(e))])));
        }

        if (rest.EndsWith("/summary", StringComparison.Ordinal))
        {
            var jobId = rest[..^"/summary".Length];
            return Method(context, "GET") ?? BlockingReadAsync(context, query, () =>
            {
                if (!_state.Jobs.TryGetValue((query.Namespace, jobId), out var job))
                {
                    return ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TableJobs)), "job not found");
                }

                var stub = NomadJson.JobStub(job, Summary(job));
                return new ReadResult(Math.Max(job.ModifyIndex, _state.TableIndex(ClusterState.TableAllocs)), stub["JobSummary"]!.DeepClone());
            });
        }

        return context.Request.Method switch
        {
            "GET" => BlockingReadAsync(context, query, () =>
                _state.Jobs.TryGetValue((query.Namespace, rest), out var job)
                    ? new ReadResult(job.ModifyIndex, NomadJson.Job(job, PolicyFor))
                    : ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TableJobs)), "job not found")),
            "PUT" or "POST" => RegisterJobAsync(context, query, rest),
            "DELETE" => DeregisterAsync(context, query, rest),
            _ => InvalidMethod(context),
        };
    }

    private Task DeregisterAsync(HttpContext context, ApiQuery query, string jobId)
    {
        var purge = QueryBool(context, "purge", false, "Failed to parse value of \"purge\" (");
        var (evalId, evalIndex, jobModifyIndex) = _state.Write(() => _state.DeregisterJob(query.Namespace, jobId, purge));
        return WriteJsonAsync(context, new JsonObject
        {
            ["EvalID"] = evalId,
            ["EvalCreateIndex"] = evalIndex,
            ["JobModifyIndex"] = jobModifyIndex,
            ["VolumeEvalID"] = "",
            ["VolumeEvalIndex"] = 0,
            ["Index"] = evalIndex,
            ["LastContact"] = 0,
            ["KnownLeader"] = false,
            ["NextToken"] = "",
        }, evalIndex, readMeta: false);
    }

    private Task ScaleStatusAsync(HttpContext context, ApiQuery query, string jobId) =>
        BlockingReadAsync(context, query, () =>
        {
            if (!_state.Jobs.TryGetValue((query.Namespace, jobId), out var job))
            {
                return ReadResult.NotFound(_state.LatestIndex, "job not found");
            }

            var events = _state.ScalingEvents.GetValueOrDefault((job.Namespace, job.ID));
            var index = Math.Max(job.ModifyIndex, events?.ModifyIndex ?? 0);
            var groups = new JsonObject();
            foreach (var group in job.TaskGroups)
            {
                var counted = _state.Allocations.Values.Where(a =>
                    a.Namespace == job.Namespace && a.JobID == job.ID && a.TaskGroup == group.Name && a.JobCreateIndex == job.CreateIndex && !a.Terminal).ToList();
                if (counted.Count > 0)
                {
                    index = Math.Max(index, counted.Max(a => a.ModifyIndex));
                }

                var groupEvents = events?.ByGroup.GetValueOrDefault(group.Name);
                groups[group.Name] = new JsonObject
                {
                    ["Desired"] = group.Count,
                    ["Placed"] = counted.Count,
                    ["Running"] = counted.Count(a => a.ClientStatus == ClientStatus.Running),
                    ["Healthy"] = counted.Count(a => a.ClientStatus == ClientStatus.Running),
                    ["Unhealthy"] = 0,
                    ["Events"] = groupEvents is null ? null : new JsonArray([.. groupEvents.Select(e => (JsonNode)NomadJson.ScalingEvent(e))]),
                };
            }

            return new ReadResult(index, new JsonObject
            {
                ["JobID"] = job.ID,
                ["Namespace"] = job.Namespace,
                ["JobCreateIndex"] = job.CreateIndex,
                ["JobModifyIndex"] = job.ModifyIndex,
                ["JobStopped"] = job.Stop,
                ["TaskGroups"] = groups,
            });
        });

    private async Task ScaleAsync(HttpContext context, ApiQuery query, string jobId)
    {
        var now = _time.GetUtcNow();
        var token = RequestToken(context);
        var record = new ScaleRequestRecord
        {
            Time = now,
            Namespace = query.Namespace,
            JobId = jobId,
            StatusCode = 0,
            Client = RemoteClient(context),
            UserAgent = context.Request.Headers.UserAgent.ToString(),
            TokenFingerprint = string.IsNullOrEmpty(token) ? null : ScaleRequestRecord.Fingerprint(token),
        };
        try
        {
            var body = await ReadBodyAsync(context, required: true) as JsonObject ?? throw new NomadError(400, "Request body is empty");
            var target = JobParser.Get(body, "Target") as JsonObject;
            var group = target is null ? null : JobParser.GetString(target, "Group");
            long? count = JobParser.Get(body, "Count") is JsonValue c && c.GetValueKind() == JsonValueKind.Number ? JobParser.GetLong(body, "Count") : null;
            var error = JobParser.GetBool(body, "Error");
            var message = JobParser.GetString(body, "Message") ?? "";
            record = record with { Group = group, Count = count, Error = error, Message = message };
            if (target is not null && JobParser.GetString(target, "Job") is { Length: > 0 } targetJob && targetJob != jobId)
            {
                throw new NomadError(400, "job ID in payload did not match URL");
            }

            if (target is not null && JobParser.GetString(target, "Namespace") is { Length: > 0 } targetNs && targetNs != query.Namespace)
            {
                throw new NomadError(400, "namespace in payload did not match header");
            }

            var meta = JobParser.Get(body, "Meta")?.DeepClone() as JsonObject;
            var policyOverride = JobParser.GetBool(body, "PolicyOverride");
            var result = _state.Write(() =>
            {
                var r = _state.ScaleJob(query.Namespace, jobId, group, count, error, message, meta, policyOverride);
                _state.ScaleRequests.Add(record with { StatusCode = 200, PreviousCount = r.PreviousCount, EvalId = r.EvalId.Length == 0 ? null : r.EvalId });
                return r;
            });
            _options.Logger?.Hclog(LogLevel.Information, "scale request accepted", ("job", jobId), ("namespace", query.Namespace), ("group", group),
                ("from", result.PreviousCount), ("to", count), ("message", message), ("client", record.Client));
            await WriteJsonAsync(context, new JsonObject
            {
                ["EvalID"] = result.EvalId,
                ["EvalCreateIndex"] = result.EvalCreateIndex,
                ["JobModifyIndex"] = result.JobModifyIndex,
                ["Warnings"] = "",
                ["Index"] = result.Index,
                ["LastContact"] = 0,
                ["KnownLeader"] = false,
                ["NextToken"] = "",
            }, result.Index, readMeta: false);
        }
        catch (NomadError error)
        {
            _state.Write(() =>
            {
                var previous = _state.Jobs.TryGetValue((query.Namespace, jobId), out var job) && record.Group is { } g && job.Group(g) is { } tg ? tg.Count : (long?)null;
                _state.ScaleRequests.Add(record with { StatusCode = error.StatusCode, ErrorMessage = error.Body, PreviousCount = previous });
            });
            _options.Logger?.Hclog(LogLevel.Warning, "scale request refused", ("job", jobId), ("namespace", query.Namespace), ("group", record.Group),
                ("status", error.StatusCode), ("error", error.Body));
            throw;
        }
    }

    private Task JobAllocationsAsync(HttpContext context, ApiQuery query, string jobId)
    {
        var all = QueryBool(context, "all", false, "Failed to parse value of \"all\" (");
        return BlockingReadAsync(context, query, () =>
        {
            var currentCreateIndex = _state.Jobs.TryGetValue((query.Namespace, jobId), out var job) ? job.CreateIndex : (ulong?)null;
            var allocs = _state.Allocations.Values
                .Where(a => a.Namespace == query.Namespace && a.JobID == jobId && (all || currentCreateIndex is null || a.JobCreateIndex == currentCreateIndex))
                .OrderBy(a => a.CreateIndex).ThenBy(a => a.ID, StringComparer.Ordinal);
            return new ReadResult(Math.Max(1, _state.TableIndex(ClusterState.TableAllocs)),
                new JsonArray([.. allocs.Select(a => (JsonNode)NomadJson.AllocStub(a, includeResources: false, includeTaskStates: true))]));
        });
    }

    private Task ListAllocationsAsync(HttpContext context, ApiQuery query)
    {
        var resources = QueryBool(context, "resources", false, "Failed to parse value of \"resources\" (");
        var taskStates = QueryBool(context, "task_states", true, "Failed to parse value of \"task_states\" (");
        var filter = query.Filter is null ? null : BexprFilter.Parse(query.Filter);
        return BlockingReadAsync(context, query, () =>
        {
            var (page, next) = query.Paginate(
                _state.Allocations.Values
                    .Where(a => NamespaceMatches(query, a.Namespace) && a.ID.StartsWith(query.Prefix, StringComparison.Ordinal))
                    .Where(a => filter is null || filter.Matches(new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["ID"] = a.ID, ["Name"] = a.Name, ["Namespace"] = a.Namespace, ["JobID"] = a.JobID, ["TaskGroup"] = a.TaskGroup,
                        ["NodeID"] = a.NodeID, ["NodeName"] = a.NodeName, ["ClientStatus"] = a.ClientStatus, ["DesiredStatus"] = a.DesiredStatus,
                    })),
                a => a.ID);
            return new ReadResult(Math.Max(1, _state.TableIndex(ClusterState.TableAllocs)),
                new JsonArray([.. page.Select(a => (JsonNode)NomadJson.AllocStub(a, resources, taskStates))])) { NextToken = next };
        });
    }

    private Task GetAllocationAsync(HttpContext context, ApiQuery query, string rest)
    {
        var allocId = rest.Split('/')[0];
        return BlockingReadAsync(context, query, () =>
            _state.Allocations.TryGetValue(allocId, out var alloc)
                ? new ReadResult(alloc.ModifyIndex, NomadJson.Allocation(alloc, PolicyFor))
                : ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TableAllocs)), "alloc not found"));
    }

    private Task AllocationStatsAsync(HttpContext context, string rest)
    {
        var allocId = rest.EndsWith("/stats", StringComparison.Ordinal) ? rest[..^"/stats".Length] : rest.Split('/')[0];
        var taskFilter = context.Request.Query["task"].ToString();
        var (body, error) = _state.Read(() =>
        {
            if (!_state.Allocations.TryGetValue(allocId, out var alloc))
            {
                return ((JsonNode?)null, (NomadError?)new NomadError(404, $"Unknown allocation \"{allocId}\""));
            }

            if (!_state.Nodes.TryGetValue(alloc.NodeID, out var node))
            {
                return (null, new NomadError(404, $"Unknown node {alloc.NodeID}"));
            }

            if (node.Status != NodeStatus.Ready)
            {
                return (null, new NomadError(404, "No path to node"));
            }

            var (cpuPercent, ticks, memory) = _state.AllocUsage(alloc);
            var timestamp = _state.NowUnixNano;
            var tasks = new JsonObject();
            var totalCpu = Math.Max(1, alloc.Cpu);
            foreach (var (task, cpu, memoryMB) in alloc.TaskResources)
            {
                if (taskFilter.Length > 0 && task != taskFilter)
                {
                    continue;
                }

                var share = cpu / (double)totalCpu;
                var memShare = alloc.MemoryMB == 0 ? 0 : memoryMB / (double)alloc.MemoryMB;
                tasks[task] = new JsonObject
                {
                    ["ResourceUsage"] = ResourceUsage(cpuPercent, ticks * share, (ulong)(memory * memShare)),
                    ["Timestamp"] = timestamp,
                    ["Pids"] = null,
                };
            }

            return ((JsonNode?)new JsonObject
            {
                ["ResourceUsage"] = ResourceUsage(cpuPercent, ticks, memory),
                ["Tasks"] = tasks,
                ["Timestamp"] = timestamp,
            }, (NomadError?)null);
        }).Result;
        return error is not null ? WriteErrorAsync(context, error) : WriteBodyAsync(context, body, context.Request.Query.ContainsKey("pretty"));
    }

    private static JsonObject ResourceUsage(double cpuPercent, double ticks, ulong memoryBytes) => new()
    {
        ["MemoryStats"] = new JsonObject
        {
            ["RSS"] = memoryBytes,
            ["Cache"] = 0,
            ["Swap"] = 0,
            ["MappedFile"] = 0,
            ["Usage"] = memoryBytes,
            ["MaxUsage"] = memoryBytes,
            ["KernelUsage"] = 0,
            ["KernelMaxUsage"] = 0,
            ["Measured"] = new JsonArray("RSS", "Cache", "Swap", "Usage", "Max Usage"),
        },
        ["CpuStats"] = new JsonObject
        {
            ["SystemMode"] = JobParser.GoFloat(0),
            ["UserMode"] = JobParser.GoFloat(ticks),
            ["TotalTicks"] = JobParser.GoFloat(ticks),
            ["ThrottledPeriods"] = 0,
            ["ThrottledTime"] = 0,
            ["Percent"] = JobParser.GoFloat(cpuPercent),
            ["Measured"] = new JsonArray("Throttled Periods", "Throttled Time", "Percent"),
        },
        ["DeviceStats"] = null,
    };

    private Task ListEvaluationsAsync(HttpContext context, ApiQuery query) =>
        BlockingReadAsync(context, query, () => new ReadResult(
            Math.Max(1, _state.TableIndex(ClusterState.TableEvals)),
            new JsonArray([.. _state.Evaluations.Values.Where(e => NamespaceMatches(query, e.Namespace) && e.ID.StartsWith(query.Prefix, StringComparison.Ordinal))
                .OrderBy(e => e.CreateIndex).Select(e => (JsonNode)NomadJson.Evaluation(e))])));

    private Task GetEvaluationAsync(HttpContext context, ApiQuery query, string evalId) =>
        BlockingReadAsync(context, query, () =>
            _state.Evaluations.TryGetValue(evalId, out var eval)
                ? new ReadResult(eval.ModifyIndex, NomadJson.Evaluation(eval))
                : ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TableEvals)), "eval not found"));

    private Task ListDeploymentsAsync(HttpContext context, ApiQuery query) =>
        BlockingReadAsync(context, query, () => new ReadResult(
            Math.Max(1, _state.TableIndex(ClusterState.TableDeployments)),
            new JsonArray([.. _state.Deployments.Where(d => NamespaceMatches(query, d.Namespace)).Select(d => (JsonNode)new JsonObject
            {
                ["ID"] = d.ID, ["Namespace"] = d.Namespace, ["JobID"] = d.JobID, ["JobCreateIndex"] = d.JobCreateIndex,
                ["Status"] = d.Status, ["StatusDescription"] = d.Status == "running" ? "Deployment is running" : "Deployment completed successfully",
            })])));

    private Task ListPoliciesAsync(HttpContext context, ApiQuery query)
    {
        var jobFilter = context.Request.Query["job"].ToString();
        var typeFilter = context.Request.Query["type"].ToString();
        return BlockingReadAsync(context, query, () =>
        {
            IEnumerable<SimScalingPolicy> policies = _state.Policies.Values.Where(p => NamespaceMatches(query, p.Namespace));
            if (query.Namespace == "*")
            {
                policies = policies.Where(p => p.ID.StartsWith(query.Prefix, StringComparison.Ordinal) && p.Type.StartsWith(typeFilter, StringComparison.Ordinal));
            }
            else if (query.Prefix.Length > 0)
            {
                policies = policies.Where(p => p.ID.StartsWith(query.Prefix, StringComparison.Ordinal));
            }
            else if (jobFilter.Length > 0)
            {
                policies = policies.Where(p => p.JobID == jobFilter && (typeFilter.Length == 0 || p.Type == typeFilter));
            }
            else if (typeFilter.Length > 0)
            {
                policies = policies.Where(p => p.Type.StartsWith(typeFilter, StringComparison.Ordinal));
            }

            return new ReadResult(Math.Max(1, _state.TableIndex(ClusterState.TablePolicies)),
                new JsonArray([.. policies.OrderBy(p => p.ID, StringComparer.Ordinal).Select(p => (JsonNode)NomadJson.PolicyStub(p))]));
        });
    }

    private Task GetPolicyAsync(HttpContext context, ApiQuery query, string policyId) =>
        BlockingReadAsync(context, query, () =>
            _state.Policies.TryGetValue(policyId, out var policy)
                ? new ReadResult(policy.ModifyIndex, NomadJson.Policy(policy))
                : ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TablePolicies)), "policy not found"));
}
