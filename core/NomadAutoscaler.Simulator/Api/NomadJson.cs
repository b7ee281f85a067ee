using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// Renders state rows as Nomad writes them (go-codec JSON): Go field names, nil slices and maps as <c>null</c>,
/// zero times as <c>null</c>, durations as integer nanoseconds, and struct-level omitempty for Allocation and
/// Evaluation objects.
/// </summary>
internal static class NomadJson
{
    public static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Pretty = new(Compact) { WriteIndented = true };

    public static JsonNode? Time(DateTimeOffset? time) =>
        time is { } t && t != default
            ? JsonValue.Create(t.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture))
            : null;

    public static JsonObject? StringMap(IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            return null;
        }

        var obj = new JsonObject();
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            obj[key] = value;
        }

        return obj;
    }

    // ---------------------------------------------------------------- nodes

    public static JsonObject NodeResources(SimNode node) => new()
    {
        ["Cpu"] = new JsonObject
        {
            ["CpuShares"] = node.CpuShares,
            ["TotalCpuCores"] = node.TotalCpuCores,
            ["ReservableCpuCores"] = new JsonArray([.. Enumerable.Range(0, node.TotalCpuCores).Select(i => (JsonNode)i)]),
        },
        ["Processors"] = new JsonObject
        {
            ["Topology"] = new JsonObject
            {
                ["Nodes"] = new JsonArray(0),
                ["Distances"] = new JsonArray(new JsonArray(10)),
                ["Cores"] = new JsonArray([.. Enumerable.Range(0, node.TotalCpuCores).Select(i => (JsonNode)new JsonObject
                {
                    ["SocketID"] = 0, ["NodeID"] = 0, ["ID"] = i, ["Grade"] = true, ["Disable"] = false,
                    ["BaseSpeed"] = node.CpuShares / node.TotalCpuCores, ["MaxSpeed"] = 0, ["GuessSpeed"] = 0,
                })]),
                ["OverrideTotalCompute"] = 0,
                ["OverrideWitholdCompute"] = 0,
            },
        },
        ["Memory"] = new JsonObject { ["MemoryMB"] = node.MemoryMB },
        ["Disk"] = new JsonObject { ["DiskMB"] = node.DiskMB },
        ["Devices"] = null,
        ["NodeNetworks"] = new JsonArray(new JsonObject
        {
            ["Mode"] = "host",
            ["Device"] = "eth0",
            ["MacAddress"] = "02:42:ac:11:00:02",
            ["Speed"] = 1000,
            ["Addresses"] = new JsonArray(new JsonObject
            {
                ["Family"] = "ipv4", ["Alias"] = "default", ["Address"] = node.Address, ["ReservedPorts"] = "", ["Gateway"] = "",
            }),
        }),
        ["Networks"] = new JsonArray(new JsonObject
        {
            ["Mode"] = "host", ["Device"] = "eth0", ["CIDR"] = node.Address + "/32", ["IP"] = node.Address, ["MBits"] = 1000,
        }),
        ["MinDynamicPort"] = 20000,
        ["MaxDynamicPort"] = 32000,
    };

    public static JsonObject ReservedResources(SimNode node) => new()
    {
        ["Cpu"] = new JsonObject { ["CpuShares"] = node.ReservedCpu, ["ReservedCpuCores"] = null },
        ["Memory"] = new JsonObject { ["MemoryMB"] = node.ReservedMemoryMB },
        ["Disk"] = new JsonObject { ["DiskMB"] = 0 },
        ["Networks"] = new JsonObject { ["ReservedHostPorts"] = "" },
    };

    private static JsonObject Drivers(DateTimeOffset since) => new()
    {
        ["docker"] = new JsonObject
        {
            ["Attributes"] = new JsonObject { ["driver.docker"] = "true", ["driver.docker.version"] = "27.3.1" },
            ["Detected"] = true, ["Healthy"] = true, ["HealthDescription"] = "Healthy", ["UpdateTime"] = Time(since),
        },
        ["exec"] = new JsonObject
        {
            ["Attributes"] = new JsonObject { ["driver.exec"] = "true" },
            ["Detected"] = true, ["Healthy"] = true, ["HealthDescription"] = "Healthy", ["UpdateTime"] = Time(since),
        },
    };

    private static JsonObject? HostVolumes(SimNode node)
    {
        if (node.HostVolumes.Count == 0)
        {
            return null;
        }

        var obj = new JsonObject();
        foreach (var (name, path) in node.HostVolumes)
        {
            obj[name] = new JsonObject { ["Name"] = name, ["Path"] = path, ["ReadOnly"] = false, ["ID"] = "" };
        }

        return obj;
    }

    public static JsonNode? DrainStrategy(SimDrainStrategy? drain) => drain is null ? null : new JsonObject
    {
        ["Deadline"] = drain.DeadlineNs,
        ["IgnoreSystemJobs"] = drain.IgnoreSystemJobs,
        ["ForceDeadline"] = Time(drain.ForceDeadline),
        ["StartedAt"] = Time(drain.StartedAt),
    };

    public static JsonNode? LastDrain(SimLastDrain? last) => last is null ? null : new JsonObject
    {
        ["StartedAt"] = Time(last.StartedAt),
        ["UpdatedAt"] = Time(last.UpdatedAt),
        ["Status"] = last.Status,
        ["AccessorID"] = last.AccessorID,
        ["Meta"] = StringMap(last.Meta),
    };

    public static JsonObject Node(SimNode node)
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(node.StatusUpdatedAt);
        return new JsonObject
        {
            ["ID"] = node.ID,
            ["SecretID"] = "",
            ["Datacenter"] = node.Datacenter,
            ["Name"] = node.Name,
            ["CgroupParent"] = "nomad.slice",
            ["HTTPAddr"] = node.Address + ":4646",
            ["TLSEnabled"] = false,
            ["Attributes"] = StringMap(node.Attributes),
            ["NodeResources"] = NodeResources(node),
            ["ReservedResources"] = ReservedResources(node),
            ["Links"] = new JsonObject(),
            ["Meta"] = StringMap(node.Meta),
            ["NodeClass"] = node.NodeClass,
            ["NodePool"] = node.NodePool,
            ["ComputedClass"] = ComputedClass(node),
            ["DrainStrategy"] = DrainStrategy(node.DrainStrategy),
            ["SchedulingEligibility"] = node.SchedulingEligibility,
            ["Status"] = node.Status,
            ["StatusDescription"] = node.StatusDescription,
            ["StatusUpdatedAt"] = node.StatusUpdatedAt,
            ["IdentitySigningKeyID"] = "",
            ["Events"] = new JsonArray([.. node.Events.Select(e => (JsonNode)new JsonObject
            {
                ["Message"] = e.Message,
                ["Subsystem"] = e.Subsystem,
                ["Details"] = StringMap(e.Details),
                ["Timestamp"] = Time(e.Timestamp),
                ["CreateIndex"] = e.CreateIndex,
            })]),
            ["Drivers"] = Drivers(created),
            ["HostVolumes"] = HostVolumes(node),
            ["GCVolumesOnNodeGC"] = false,
            ["HostNetworks"] = null,
            ["CSIControllerPlugins"] = null,
            ["CSINodePlugins"] = null,
            ["LastDrain"] = LastDrain(node.LastDrain),
            ["NodeMaxAllocs"] = 0,
            ["LastMissedHeartbeatIndex"] = 0,
            ["LastAllocUpdateIndex"] = 0,
            ["CreateIndex"] = node.CreateIndex,
            ["ModifyIndex"] = node.ModifyIndex,
            ["Drain"] = node.DrainStrategy is not null,
        };
    }

    /// <summary>A stable "v1:&lt;hash&gt;" of the scheduling-relevant fields (FNV-1a; Nomad hashes more fields, the
    /// form and stability are what matter).</summary>
    private static string ComputedClass(SimNode node)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in $"{node.Datacenter}|{node.NodeClass}|{node.NodePool}|{node.CpuShares}|{node.MemoryMB}")
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return "v1:" + hash.ToString(CultureInfo.InvariantCulture);
    }

    public static JsonObject NodeStub(SimNode node, bool resources, bool os)
    {
        var stub = new JsonObject
        {
            ["Address"] = node.Address,
            ["ID"] = node.ID,
        };
        if (os)
        {
            stub["Attributes"] = new JsonObject { ["os.name"] = node.Attributes.GetValueOrDefault("os.name", "") };
        }

        stub["Datacenter"] = node.Datacenter;
        stub["Name"] = node.Name;
        stub["NodeClass"] = node.NodeClass;
        stub["NodePool"] = node.NodePool;
        stub["Version"] = node.Attributes.GetValueOrDefault("nomad.version", NomadVersion.Version);
        stub["Drain"] = node.DrainStrategy is not null;
        stub["SchedulingEligibility"] = node.SchedulingEligibility;
        stub["Status"] = node.Status;
        stub["StatusDescription"] = node.StatusDescription;
        stub["Drivers"] = Drivers(DateTimeOffset.FromUnixTimeSeconds(node.StatusUpdatedAt));
        stub["HostVolumes"] = HostVolumes(node);
        if (resources)
        {
            stub["NodeResources"] = NodeResources(node);
            stub["ReservedResources"] = ReservedResources(node);
        }

        stub["LastDrain"] = LastDrain(node.LastDrain);
        stub["CreateIndex"] = node.CreateIndex;
        stub["ModifyIndex"] = node.ModifyIndex;
        return stub;
    }

    // ---------------------------------------------------------------- jobs

    private static JsonArray? Constraints(List<SimConstraint> constraints) => constraints.Count == 0
        ? null
        : new JsonArray([.. constraints.Select(c => (JsonNode)new JsonObject { ["LTarget"] = c.LTarget, ["RTarget"] = c.RTarget, ["Operand"] = c.Operand })]);

    private static JsonObject RestartPolicy(string type) => new()
    {
        ["Attempts"] = type == "batch" ? 3 : 2,
        ["Interval"] = type == "batch" ? 86_400_000_000_000L : 1_800_000_000_000L,
        ["Delay"] = 15_000_000_000L,
        ["Mode"] = "fail",
        ["RenderTemplates"] = false,
    };

    private static JsonObject Resources(int cpu, int memoryMB, int diskMB) => new()
    {
        ["CPU"] = cpu,
        ["Cores"] = 0,
        ["MemoryMB"] = memoryMB,
        ["MemoryMaxMB"] = 0,
        ["DiskMB"] = diskMB,
        ["IOPS"] = 0,
        ["Networks"] = null,
        ["Devices"] = null,
        ["NUMA"] = null,
        ["SecretsMB"] = 0,
    };

    public static JsonObject Job(SimJob job, Func<SimJob, SimTaskGroup, SimScalingPolicy?> policyLookup) => new()
    {
        ["Stop"] = job.Stop,
        ["Region"] = job.Region,
        ["Namespace"] = job.Namespace,
        ["ID"] = job.ID,
        ["ParentID"] = "",
        ["Name"] = job.Name,
        ["Type"] = job.Type,
        ["Priority"] = job.Priority,
        ["AllAtOnce"] = false,
        ["Datacenters"] = new JsonArray([.. job.Datacenters.Select(d => (JsonNode)d)]),
        ["NodePool"] = job.NodePool,
        ["Constraints"] = Constraints(job.Constraints),
        ["Affinities"] = null,
        ["Spreads"] = null,
        ["TaskGroups"] = new JsonArray([.. job.TaskGroups.Select(g => (JsonNode)TaskGroup(job, g, policyLookup(job, g)))]),
        ["Update"] = new JsonObject
        {
            ["Stagger"] = job.Type == "service" ? 30_000_000_000L : 0,
            ["MaxParallel"] = job.Type == "service" ? 1 : 0,
            ["HealthCheck"] = "",
            ["MinHealthyTime"] = 0,
            ["HealthyDeadline"] = 0,
            ["ProgressDeadline"] = 0,
            ["AutoRevert"] = false,
            ["AutoPromote"] = false,
            ["Canary"] = 0,
        },
        ["Multiregion"] = null,
        ["Periodic"] = job.Periodic ? new JsonObject { ["Enabled"] = true } : null,
        ["ParameterizedJob"] = job.Parameterized ? new JsonObject { ["Payload"] = "optional", ["MetaRequired"] = null, ["MetaOptional"] = null } : null,
        ["Dispatched"] = false,
        ["DispatchIdempotencyToken"] = "",
        ["Payload"] = null,
        ["Meta"] = StringMap(job.Meta),
        ["ConsulToken"] = "",
        ["ConsulNamespace"] = "",
        ["VaultNamespace"] = "",
        ["NomadTokenID"] = "",
        ["Status"] = job.Status,
        ["StatusDescription"] = "",
        ["Stable"] = false,
        ["Version"] = job.Version,
        ["SubmitTime"] = job.SubmitTime,
        ["CreateIndex"] = job.CreateIndex,
        ["ModifyIndex"] = job.ModifyIndex,
        ["JobModifyIndex"] = job.JobModifyIndex,
        ["UI"] = null,
        ["VersionTag"] = null,
    };

    private static JsonObject TaskGroup(SimJob job, SimTaskGroup group, SimScalingPolicy? policy) => new()
    {
        ["Name"] = group.Name,
        ["Count"] = group.Count,
        ["Update"] = null,
        ["Migrate"] = job.Type == "service"
            ? new JsonObject { ["MaxParallel"] = 1, ["HealthCheck"] = "checks", ["MinHealthyTime"] = 10_000_000_000L, ["HealthyDeadline"] = 300_000_000_000L }
            : null,
        ["Constraints"] = Constraints(group.Constraints),
        ["Scaling"] = group.Scaling is null ? null : Scaling(job, group, policy),
        ["RestartPolicy"] = RestartPolicy(job.Type),
        ["Disconnect"] = null,
        ["Tasks"] = new JsonArray([.. group.Tasks.Select(t => (JsonNode)Task(job, t))]),
        ["EphemeralDisk"] = new JsonObject { ["Sticky"] = false, ["SizeMB"] = group.EphemeralDiskMB, ["Migrate"] = false },
        ["Meta"] = StringMap(group.Meta),
        ["ReschedulePolicy"] = job.Type is "system" or "sysbatch" ? null : new JsonObject
        {
            ["Attempts"] = job.Type == "batch" ? 1 : 0,
            ["Interval"] = job.Type == "batch" ? 86_400_000_000_000L : 0,
            ["Delay"] = job.Type == "batch" ? 5_000_000_000L : 30_000_000_000L,
            ["DelayFunction"] = job.Type == "batch" ? "constant" : "exponential",
            ["MaxDelay"] = job.Type == "batch" ? 0 : 3_600_000_000_000L,
            ["Unlimited"] = job.Type != "batch",
        },
        ["Affinities"] = null,
        ["Spreads"] = null,
        ["Networks"] = null,
        ["Consul"] = null,
        ["Services"] = null,
        ["Volumes"] = null,
        ["ShutdownDelay"] = null,
        ["StopAfterClientDisconnect"] = null,
        ["MaxClientDisconnect"] = null,
        ["PreventRescheduleOnLost"] = false,
    };

    private static JsonObject Scaling(SimJob job, SimTaskGroup group, SimScalingPolicy? policy) => new()
    {
        ["ID"] = policy?.ID ?? "",
        ["Type"] = group.Scaling!.Type,
        ["Target"] = new JsonObject { ["Namespace"] = job.Namespace, ["Job"] = job.ID, ["Group"] = group.Name },
        ["Policy"] = group.Scaling.Policy?.DeepClone(),
        ["Min"] = group.Scaling.Min ?? group.Count,
        ["Max"] = group.Scaling.Max,
        ["Enabled"] = group.Scaling.Enabled,
        ["CreateIndex"] = policy?.CreateIndex ?? 0,
        ["ModifyIndex"] = policy?.ModifyIndex ?? 0,
    };

    private static JsonObject Task(SimJob job, SimTask task) => new()
    {
        ["Name"] = task.Name,
        ["Driver"] = task.Driver,
        ["User"] = "",
        ["Config"] = task.Config?.DeepClone() ?? new JsonObject { ["image"] = "busybox:1.36", ["command"] = "sleep", ["args"] = new JsonArray("infinity") },
        ["Env"] = null,
        ["Services"] = null,
        ["Vault"] = null,
        ["Consul"] = null,
        ["Templates"] = null,
        ["Constraints"] = Constraints(task.Constraints),
        ["Affinities"] = null,
        ["Resources"] = Resources(task.Cpu, task.MemoryMB, 0),
        ["RestartPolicy"] = RestartPolicy(job.Type),
        ["DispatchPayload"] = null,
        ["Lifecycle"] = null,
        ["Meta"] = StringMap(task.Meta),
        ["KillTimeout"] = 5_000_000_000L,
        ["LogConfig"] = new JsonObject { ["MaxFiles"] = 10, ["MaxFileSizeMB"] = 10, ["Disabled"] = false, ["Enabled"] = null },
        ["Artifacts"] = null,
        ["Leader"] = false,
        ["ShutdownDelay"] = 0,
        ["VolumeMounts"] = null,
        ["ScalingPolicies"] = null,
        ["KillSignal"] = "",
        ["Kind"] = "",
        ["CSIPluginConfig"] = null,
        ["Identity"] = new JsonObject
        {
            ["Name"] = "default", ["Audience"] = new JsonArray("nomadproject.io"), ["ChangeMode"] = "", ["ChangeSignal"] = "",
            ["Env"] = false, ["File"] = false, ["Filepath"] = "", ["ServiceName"] = "", ["TTL"] = 0,
        },
        ["Identities"] = null,
        ["Actions"] = null,
        ["Schedule"] = null,
        ["Secrets"] = null,
    };

    public static JsonObject JobStub(SimJob job, Dictionary<string, (int Queued, int Starting, int Running, int Complete, int Failed, int Lost)> summary) => new()
    {
        ["ID"] = job.ID,
        ["ParentID"] = "",
        ["Name"] = job.Name,
        ["Namespace"] = job.Namespace,
        ["Datacenters"] = new JsonArray([.. job.Datacenters.Select(d => (JsonNode)d)]),
        ["NodePool"] = job.NodePool,
        ["Multiregion"] = null,
        ["Type"] = job.Type,
        ["Priority"] = job.Priority,
        ["Periodic"] = job.Periodic,
        ["ParameterizedJob"] = job.Parameterized,
        ["Stop"] = job.Stop,
        ["Status"] = job.Status,
        ["StatusDescription"] = "",
        ["JobSummary"] = new JsonObject
        {
            ["JobID"] = job.ID,
            ["Namespace"] = job.Namespace,
            ["Summary"] = new JsonObject(summary.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject
            {
                ["Queued"] = p.Value.Queued, ["Complete"] = p.Value.Complete, ["Failed"] = p.Value.Failed,
                ["Running"] = p.Value.Running, ["Starting"] = p.Value.Starting, ["Lost"] = p.Value.Lost, ["Unknown"] = 0,
            }))),
            ["Children"] = new JsonObject { ["Pending"] = 0, ["Running"] = 0, ["Dead"] = 0 },
            ["CreateIndex"] = job.CreateIndex,
            ["ModifyIndex"] = job.ModifyIndex,
        },
        ["CreateIndex"] = job.CreateIndex,
        ["ModifyIndex"] = job.ModifyIndex,
        ["JobModifyIndex"] = job.JobModifyIndex,
        ["SubmitTime"] = job.SubmitTime,
        ["Meta"] = StringMap(job.Meta),
    };

    // ---------------------------------------------------------------- allocations

    private static JsonObject TaskStates(SimAllocation alloc)
    {
        var state = alloc.ClientStatus switch
        {
            ClientStatus.Pending => "pending",
            ClientStatus.Running or ClientStatus.Unknown => "running",
            _ => "dead",
        };
        var states = new JsonObject();
        foreach (var (task, _, _) in alloc.TaskResources)
        {
            states[task] = new JsonObject
            {
                ["State"] = state,
                ["Failed"] = alloc.ClientStatus == ClientStatus.Failed,
                ["Restarts"] = 0,
                ["LastRestart"] = null,
                ["StartedAt"] = Time(alloc.StartedAt),
                ["FinishedAt"] = Time(alloc.FinishedAt),
                ["Events"] = new JsonArray([.. alloc.TaskEvents.Select(e => (JsonNode)TaskEvent(e.Type, e.TimeNs, e.Display))]),
                ["TaskHandle"] = null,
                ["Paused"] = null,
            };
        }

        return states;
    }

    private static JsonObject TaskEvent(string type, long timeNs, string display) => new()
    {
        ["Type"] = type,
        ["Time"] = timeNs,
        ["Message"] = "",
        ["DisplayMessage"] = display,
        ["Details"] = new JsonObject(),
        ["FailsTask"] = false,
        ["RestartReason"] = "",
        ["SetupError"] = "",
        ["DriverError"] = "",
        ["ExitCode"] = 0,
        ["Signal"] = 0,
        ["KillTimeout"] = 0,
        ["KillError"] = "",
        ["KillReason"] = "",
        ["StartDelay"] = 0,
        ["DownloadError"] = "",
        ["ValidationError"] = "",
        ["DiskLimit"] = 0,
        ["FailedSibling"] = "",
        ["VaultError"] = "",
        ["TaskSignalReason"] = "",
        ["TaskSignal"] = "",
        ["DriverMessage"] = "",
        ["GenericSource"] = "",
    };

    private static JsonNode? DesiredTransition(SimAllocation alloc) => alloc.MigrateTransition is null ? null : new JsonObject
    {
        ["Migrate"] = alloc.MigrateTransition,
        ["Reschedule"] = null,
        ["ForceReschedule"] = null,
        ["NoShutdownDelay"] = null,
        ["MigrateDisablePlacement"] = null,
    };

    public static JsonObject Allocation(SimAllocation alloc, Func<SimJob, SimTaskGroup, SimScalingPolicy?> policyLookup)
    {
        var taskResources = new JsonObject();
        var allocatedTasks = new JsonObject();
        var lifecycles = new JsonObject();
        foreach (var (task, cpu, memory) in alloc.TaskResources)
        {
            taskResources[task] = Resources(cpu, memory, 0);
            allocatedTasks[task] = new JsonObject
            {
                ["Cpu"] = new JsonObject { ["CpuShares"] = cpu, ["ReservedCores"] = null },
                ["Memory"] = new JsonObject { ["MemoryMB"] = memory, ["MemoryMaxMB"] = 0 },
                ["Networks"] = null,
                ["Devices"] = null,
            };
            lifecycles[task] = null;
        }

        var obj = new JsonObject
        {
            ["ID"] = alloc.ID,
            ["Namespace"] = alloc.Namespace,
            ["EvalID"] = alloc.EvalID,
            ["Name"] = alloc.Name,
            ["NodeID"] = alloc.NodeID,
            ["NodeName"] = alloc.NodeName,
            ["JobID"] = alloc.JobID,
            ["Job"] = Job(alloc.Job, policyLookup),
            ["TaskGroup"] = alloc.TaskGroup,
            ["Resources"] = Resources(alloc.Cpu, alloc.MemoryMB, alloc.DiskMB),
            ["SharedResources"] = Resources(0, 0, alloc.DiskMB),
            ["TaskResources"] = taskResources,
            ["AllocatedResources"] = new JsonObject
            {
                ["Tasks"] = allocatedTasks,
                ["TaskLifecycles"] = lifecycles,
                ["Shared"] = new JsonObject { ["Networks"] = null, ["DiskMB"] = alloc.DiskMB, ["Ports"] = null },
            },
            ["Metrics"] = new JsonObject
            {
                ["NodesEvaluated"] = alloc.NodesEvaluated,
                ["NodesFiltered"] = 0,
                ["NodesInPool"] = alloc.NodesEvaluated,
                ["NodePool"] = alloc.Job.NodePool,
                ["NodesAvailable"] = new JsonObject { [alloc.Job.Datacenters.FirstOrDefault() ?? "dc1"] = alloc.NodesEvaluated },
                ["ClassFiltered"] = null,
                ["ConstraintFiltered"] = null,
                ["NodesExhausted"] = 0,
                ["ClassExhausted"] = null,
                ["DimensionExhausted"] = null,
                ["QuotaExhausted"] = null,
                ["ResourcesExhausted"] = null,
                ["Scores"] = null,
                ["ScoreMetaData"] = new JsonArray(new JsonObject
                {
                    ["NodeID"] = alloc.NodeID,
                    ["Scores"] = new JsonObject
                    {
                        ["binpack"] = JobParser.GoFloat(alloc.BinpackScore),
                        ["job-anti-affinity"] = 0,
                        ["node-reschedule-penalty"] = 0,
                        ["node-affinity"] = 0,
                    },
                    ["NormScore"] = JobParser.GoFloat(alloc.BinpackScore),
                }),
                ["AllocationTime"] = 20537,
                ["CoalescedFailures"] = 0,
            },
            ["DesiredStatus"] = alloc.DesiredStatus,
            ["DesiredDescription"] = alloc.DesiredDescription,
            ["DesiredTransition"] = DesiredTransition(alloc),
            ["ClientStatus"] = alloc.ClientStatus,
            ["ClientDescription"] = alloc.ClientDescription,
            ["TaskStates"] = TaskStates(alloc),
            ["PreviousAllocation"] = alloc.PreviousAllocation ?? "",
            ["NextAllocation"] = alloc.NextAllocation ?? "",
            ["NetworkStatus"] = new JsonObject { ["InterfaceName"] = "", ["Address"] = "", ["DNS"] = null },
            ["CreateIndex"] = alloc.CreateIndex,
            ["ModifyIndex"] = alloc.ModifyIndex,
            ["AllocModifyIndex"] = alloc.AllocModifyIndex,
            ["CreateTime"] = alloc.CreateTime,
            ["ModifyTime"] = alloc.ModifyTime,
        };
        return OmitEmpty(obj);
    }

    public static JsonObject AllocStub(SimAllocation alloc, bool includeResources, bool includeTaskStates)
    {
        var stub = new JsonObject
        {
            ["ID"] = alloc.ID,
            ["EvalID"] = alloc.EvalID,
            ["Name"] = alloc.Name,
            ["Namespace"] = alloc.Namespace,
            ["NodeID"] = alloc.NodeID,
            ["NodeName"] = alloc.NodeName,
            ["JobID"] = alloc.JobID,
            ["JobType"] = alloc.JobType,
            ["JobVersion"] = alloc.JobVersion,
            ["TaskGroup"] = alloc.TaskGroup,
        };
        if (includeResources)
        {
            stub["AllocatedResources"] = new JsonObject
            {
                ["Tasks"] = new JsonObject(alloc.TaskResources.Select(t => KeyValuePair.Create(t.Task, (JsonNode?)new JsonObject
                {
                    ["Cpu"] = new JsonObject { ["CpuShares"] = t.Cpu, ["ReservedCores"] = null },
                    ["Memory"] = new JsonObject { ["MemoryMB"] = t.MemoryMB, ["MemoryMaxMB"] = 0 },
                    ["Networks"] = null,
                    ["Devices"] = null,
                }))),
                ["TaskLifecycles"] = null,
                ["Shared"] = new JsonObject { ["Networks"] = null, ["DiskMB"] = alloc.DiskMB, ["Ports"] = null },
            };
        }

        stub["DesiredStatus"] = alloc.DesiredStatus;
        stub["DesiredDescription"] = alloc.DesiredDescription;
        stub["ClientStatus"] = alloc.ClientStatus;
        stub["ClientDescription"] = alloc.ClientDescription;
        stub["DesiredTransition"] = new JsonObject
        {
            ["Migrate"] = alloc.MigrateTransition,
            ["Reschedule"] = null,
            ["ForceReschedule"] = null,
            ["NoShutdownDelay"] = null,
            ["MigrateDisablePlacement"] = null,
        };
        stub["TaskStates"] = includeTaskStates ? TaskStates(alloc) : null;
        stub["DeploymentStatus"] = null;
        stub["FollowupEvalID"] = "";
        stub["NextAllocation"] = alloc.NextAllocation ?? "";
        stub["RescheduleTracker"] = alloc.PreviousAllocation is null ? null : new JsonObject
        {
            ["Events"] = new JsonArray(new JsonObject
            {
                ["RescheduleTime"] = alloc.CreateTime,
                ["PrevAllocID"] = alloc.PreviousAllocation,
                ["PrevNodeID"] = "",
                ["Delay"] = 0,
            }),
            ["LastReschedule"] = "ok",
        };
        stub["PreemptedAllocations"] = null;
        stub["PreemptedByAllocation"] = "";
        stub["CreateIndex"] = alloc.CreateIndex;
        stub["ModifyIndex"] = alloc.ModifyIndex;
        stub["CreateTime"] = alloc.CreateTime;
        stub["ModifyTime"] = alloc.ModifyTime;
        return stub;
    }

    /// <summary>go-codec struct-level omitempty: drop null, "", 0, false and empty collections from the top level.</summary>
    public static JsonObject OmitEmpty(JsonObject obj)
    {
        foreach (var key in obj.Where(p => IsZero(p.Value)).Select(p => p.Key).ToList())
        {
            obj.Remove(key);
        }

        return obj;
    }

    private static bool IsZero(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False => true,
            JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) == 0,
            _ => false,
        },
        _ => false,
    };

    // ---------------------------------------------------------------- evaluations

    public static JsonObject Evaluation(SimEvaluation eval)
    {
        JsonObject? failed = null;
        if (eval.FailedTGAllocs is { Count: > 0 } failures)
        {
            failed = new JsonObject(failures.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)new JsonObject
            {
                ["NodesEvaluated"] = f.Value.NodesEvaluated,
                ["NodesFiltered"] = 0,
                ["NodesAvailable"] = null,
                ["NodesExhausted"] = f.Value.NodesExhausted,
                ["DimensionExhausted"] = new JsonObject { [f.Value.Dimension] = f.Value.NodesExhausted },
                ["CoalescedFailures"] = 0,
            })));
        }

        return OmitEmpty(new JsonObject
        {
            ["ID"] = eval.ID,
            ["Namespace"] = eval.Namespace,
            ["Priority"] = eval.Priority,
            ["Type"] = eval.Type,
            ["TriggeredBy"] = eval.TriggeredBy,
            ["JobID"] = eval.JobID,
            ["JobModifyIndex"] = eval.JobModifyIndex,
            ["NodeID"] = eval.NodeID,
            ["NodeModifyIndex"] = eval.NodeModifyIndex,
            ["Status"] = eval.Status,
            ["StatusDescription"] = eval.StatusDescription,
            ["PreviousEval"] = eval.PreviousEval,
            ["BlockedEval"] = eval.BlockedEval,
            ["FailedTGAllocs"] = failed,
            ["QueuedAllocations"] = eval.QueuedAllocations is null
                ? null
                : new JsonObject(eval.QueuedAllocations.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)q.Value))),
            ["CreateIndex"] = eval.CreateIndex,
            ["ModifyIndex"] = eval.ModifyIndex,
            ["CreateTime"] = eval.CreateTime,
            ["ModifyTime"] = eval.ModifyTime,
        });
    }

    // ---------------------------------------------------------------- scaling

    public static JsonObject PolicyStub(SimScalingPolicy policy) => new()
    {
        ["ID"] = policy.ID,
        ["Enabled"] = policy.Enabled,
        ["Type"] = policy.Type,
        ["Target"] = PolicyTarget(policy),
        ["CreateIndex"] = policy.CreateIndex,
        ["ModifyIndex"] = policy.ModifyIndex,
    };

    public static JsonObject Policy(SimScalingPolicy policy) => new()
    {
        ["ID"] = policy.ID,
        ["Type"] = policy.Type,
        ["Target"] = PolicyTarget(policy),
        ["Policy"] = policy.Policy.DeepClone(),
        ["Min"] = policy.Min,
        ["Max"] = policy.Max,
        ["Enabled"] = policy.Enabled,
        ["CreateIndex"] = policy.CreateIndex,
        ["ModifyIndex"] = policy.ModifyIndex,
    };

    private static JsonObject PolicyTarget(SimScalingPolicy policy) => new()
    {
        ["Namespace"] = policy.Namespace,
        ["Job"] = policy.JobID,
        ["Group"] = policy.Group,
    };

    public static JsonObject ScalingEvent(SimScalingEvent e) => new()
    {
        ["Time"] = e.Time,
        ["Count"] = e.Count,
        ["PreviousCount"] = e.PreviousCount,
        ["Message"] = e.Message,
        ["Error"] = e.Error,
        ["Meta"] = e.Meta?.DeepClone(),
        ["EvalID"] = e.EvalID,
        ["CreateIndex"] = e.CreateIndex,
    };

    // ---------------------------------------------------------------- variables

    public static JsonObject Variable(SimVariable variable, bool includeItems, bool includeLock)
    {
        var obj = new JsonObject
        {
            ["Namespace"] = variable.Namespace,
            ["Path"] = variable.Path,
            ["CreateIndex"] = variable.CreateIndex,
            ["ModifyIndex"] = variable.ModifyIndex,
            ["CreateTime"] = variable.CreateTime,
            ["ModifyTime"] = variable.ModifyTime,
        };
        if (includeItems && variable.Items is { Count: > 0 } items)
        {
            obj["Items"] = StringMap(items);
        }

        if (includeLock && variable.Lock is { } held)
        {
            obj["Lock"] = new JsonObject
            {
                ["ID"] = held.ID,
                ["TTL"] = GoDuration.Format(held.TTL),
                ["LockDelay"] = GoDuration.Format(held.LockDelay),
            };
        }

        return obj;
    }

    public static JsonObject VariableConflict(string ns, string path) => new()
    {
        ["Namespace"] = ns,
        ["Path"] = path,
        ["CreateIndex"] = 0,
        ["CreateTime"] = 0,
        ["ModifyIndex"] = 0,
        ["ModifyTime"] = 0,
    };
}
