using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>Jobs, task groups and job stubs, as Nomad renders them.</summary>
internal static partial class NomadJson
{
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
}
