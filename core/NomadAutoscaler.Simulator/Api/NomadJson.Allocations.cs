using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>Allocations and their stubs, as Nomad renders them.</summary>
internal static partial class NomadJson
{
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
}
