using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.State;

// The simulator's own state rows. They mirror nomad/structs closely enough that rendering to Nomad JSON is a
// straight mapping; everything Nomad keeps but the autoscaler never reads is filled in at render time.

internal sealed class SimNode
{
    public required string ID { get; init; }
    public required string Name { get; set; }
    public string Datacenter { get; set; } = "dc1";
    public string NodeClass { get; set; } = "";
    public string NodePool { get; set; } = "default";
    public string Status { get; set; } = NodeStatus.Initializing;
    public string StatusDescription { get; set; } = "";
    public string SchedulingEligibility { get; set; } = "eligible";
    public SimDrainStrategy? DrainStrategy { get; set; }
    public SimLastDrain? LastDrain { get; set; }
    public int CpuShares { get; set; } = 4000;
    public int TotalCpuCores { get; set; } = 2;
    public int MemoryMB { get; set; } = 8192;
    public int DiskMB { get; set; } = 51200;
    public int ReservedCpu { get; set; }
    public int ReservedMemoryMB { get; set; }
    public string Address { get; set; } = "127.0.0.1";
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Meta { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> HostVolumes { get; } = new(StringComparer.Ordinal);
    public List<SimNodeEvent> Events { get; } = [];
    public ulong CreateIndex { get; set; }
    public ulong ModifyIndex { get; set; }
    public long StatusUpdatedAt { get; set; }
    public DateTimeOffset ReadyAt { get; set; }

    /// <summary>Set by the cloud-join hook: the server this node stands for.</summary>
    public string? CloudServerId { get; set; }
}

internal static class NodeStatus
{
    public const string Initializing = "initializing";
    public const string Ready = "ready";
    public const string Down = "down";
    public const string Disconnected = "disconnected";
}

internal sealed class SimDrainStrategy
{
    public long DeadlineNs { get; set; }
    public bool IgnoreSystemJobs { get; set; }
    public DateTimeOffset? ForceDeadline { get; set; }
    public DateTimeOffset StartedAt { get; set; }
}

internal sealed class SimLastDrain
{
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string Status { get; set; } = "draining";
    public string AccessorID { get; set; } = "token:acls-disabled";
    public Dictionary<string, string>? Meta { get; set; }
}

internal sealed record SimNodeEvent(string Message, string Subsystem, Dictionary<string, string>? Details, DateTimeOffset Timestamp, ulong CreateIndex);

internal sealed record SimConstraint(string LTarget, string RTarget, string Operand);

internal sealed class SimJob
{
    public required string ID { get; init; }
    public required string Namespace { get; init; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = "service";
    public string Region { get; set; } = "global";
    public int Priority { get; set; } = 50;
    public List<string> Datacenters { get; set; } = ["*"];
    public string NodePool { get; set; } = "default";
    public List<SimConstraint> Constraints { get; set; } = [];
    public List<SimTaskGroup> TaskGroups { get; set; } = [];
    public Dictionary<string, string>? Meta { get; set; }
    public bool Stop { get; set; }
    public string Status { get; set; } = "pending";
    public ulong Version { get; set; }
    public long SubmitTime { get; set; }
    public ulong CreateIndex { get; set; }
    public ulong ModifyIndex { get; set; }
    public ulong JobModifyIndex { get; set; }
    public bool Periodic { get; set; }
    public bool Parameterized { get; set; }

    public SimTaskGroup? Group(string name) => TaskGroups.Find(g => g.Name == name);

    public SimJob Clone()
    {
        var copy = (SimJob)MemberwiseClone();
        copy.TaskGroups = TaskGroups.ConvertAll(g => g.Clone());
        copy.Datacenters = [.. Datacenters];
        copy.Constraints = [.. Constraints];
        copy.Meta = Meta is null ? null : new Dictionary<string, string>(Meta, StringComparer.Ordinal);
        return copy;
    }
}

internal sealed class SimTaskGroup
{
    public required string Name { get; init; }
    public int Count { get; set; } = 1;
    public List<SimConstraint> Constraints { get; set; } = [];
    public List<SimTask> Tasks { get; set; } = [];
    public SimScaling? Scaling { get; set; }
    public int EphemeralDiskMB { get; set; } = 300;
    public Dictionary<string, string>? Meta { get; set; }

    public SimTaskGroup Clone()
    {
        var copy = (SimTaskGroup)MemberwiseClone();
        copy.Tasks = [.. Tasks];
        copy.Constraints = [.. Constraints];
        copy.Scaling = Scaling is null ? null : new SimScaling
        {
            Min = Scaling.Min, Max = Scaling.Max, Enabled = Scaling.Enabled, Type = Scaling.Type,
            Policy = Scaling.Policy?.DeepClone().AsObject(),
        };
        return copy;
    }

    public int CpuTotal => Tasks.Sum(t => t.Cpu);
    public int MemoryTotal => Tasks.Sum(t => t.MemoryMB);
}

internal sealed class SimTask
{
    public required string Name { get; init; }
    public string Driver { get; set; } = "docker";
    public int Cpu { get; set; } = 100;
    public int MemoryMB { get; set; } = 300;
    public List<SimConstraint> Constraints { get; set; } = [];
    public JsonObject? Config { get; set; }
    public Dictionary<string, string>? Meta { get; set; }
}

internal sealed class SimScaling
{
    public long? Min { get; set; }
    public long Max { get; set; }
    public bool Enabled { get; set; } = true;
    public string Type { get; set; } = "horizontal";
    public JsonObject? Policy { get; set; }
}

internal static class ClientStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Complete = "complete";
    public const string Failed = "failed";
    public const string Lost = "lost";
    public const string Unknown = "unknown";

    public static bool IsTerminal(string status) => status is Complete or Failed or Lost;
}

internal sealed class SimAllocation
{
    public required string ID { get; init; }
    public required string EvalID { get; set; }
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public required string NodeID { get; init; }
    public required string NodeName { get; init; }
    public required string JobID { get; init; }
    public required string JobType { get; init; }
    public required SimJob Job { get; init; }
    public required ulong JobCreateIndex { get; init; }
    public ulong JobVersion { get; set; }
    public required string TaskGroup { get; init; }
    public int NameIndex { get; init; }
    public required List<(string Task, int Cpu, int MemoryMB)> TaskResources { get; init; }
    public int DiskMB { get; init; }
    public string DesiredStatus { get; set; } = "run";
    public string DesiredDescription { get; set; } = "";
    public string ClientStatus { get; set; } = Simulator.State.ClientStatus.Pending;
    public string ClientDescription { get; set; } = "No tasks have started";
    public bool? MigrateTransition { get; set; }
    public string? NextAllocation { get; set; }
    public string? PreviousAllocation { get; set; }
    public ulong CreateIndex { get; set; }
    public ulong ModifyIndex { get; set; }
    public ulong AllocModifyIndex { get; set; }
    public long CreateTime { get; set; }
    public long ModifyTime { get; set; }
    public DateTimeOffset? StartAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? StopAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<(string Type, long TimeNs, string Display)> TaskEvents { get; } = [];
    public double BinpackScore { get; set; }
    public int NodesEvaluated { get; set; }

    public int Cpu => TaskResources.Sum(t => t.Cpu);
    public int MemoryMB => TaskResources.Sum(t => t.MemoryMB);
    public bool ServerTerminal => DesiredStatus is "stop" or "evict";
    public bool ClientTerminal => Simulator.State.ClientStatus.IsTerminal(ClientStatus);
    public bool Terminal => ServerTerminal || ClientTerminal;
}

internal sealed class SimEvaluation
{
    public required string ID { get; init; }
    public required string Namespace { get; init; }
    public int Priority { get; set; } = 50;
    public string Type { get; set; } = "service";
    public required string TriggeredBy { get; init; }
    public string JobID { get; set; } = "";
    public ulong JobModifyIndex { get; set; }
    public string NodeID { get; set; } = "";
    public ulong NodeModifyIndex { get; set; }
    public string Status { get; set; } = "pending";
    public string StatusDescription { get; set; } = "";
    public string BlockedEval { get; set; } = "";
    public string PreviousEval { get; set; } = "";
    public Dictionary<string, int>? QueuedAllocations { get; set; }
    public Dictionary<string, (int NodesEvaluated, int NodesExhausted, string Dimension)>? FailedTGAllocs { get; set; }
    public ulong CreateIndex { get; set; }
    public ulong ModifyIndex { get; set; }
    public long CreateTime { get; set; }
    public long ModifyTime { get; set; }
}

internal sealed class SimScalingPolicy
{
    public required string ID { get; init; }
    public required string Namespace { get; init; }
    public required string JobID { get; init; }
    public required string Group { get; init; }
    public string Type { get; set; } = "horizontal";
    public long Min { get; set; }
    public long Max { get; set; }
    public bool Enabled { get; set; } = true;
    public JsonObject Policy { get; set; } = [];
    public ulong CreateIndex { get; set; }
    public ulong ModifyIndex { get; set; }
}

internal sealed class SimScalingEvent
{
    public long Time { get; init; }
    public long? Count { get; init; }
    public long PreviousCount { get; init; }
    public string Message { get; init; } = "";
    public bool Error { get; init; }
    public JsonObject? Meta { get; init; }
    public string? EvalID { get; init; }
    public ulong CreateIndex { get; init; }
}

internal sealed class SimJobScalingEvents
{
    public Dictionary<string, List<SimScalingEvent>> ByGroup { get; } = new(StringComparer.Ordinal);
    public ulong ModifyIndex { get; set; }
}

internal sealed class SimDeployment
{
    public required string ID { get; init; }
    public required string Namespace { get; init; }
    public required string JobID { get; init; }
    public required ulong JobCreateIndex { get; init; }
    public string Status { get; set; } = "running";
}

internal sealed class SimVariable
{
    public required string Namespace { get; init; }
    public required string Path { get; init; }
    public Dictionary<string, string>? Items { get; set; }
    public SimLock? Lock { get; set; }
    public ulong CreateIndex { get; set; }
    public ulong ModifyIndex { get; set; }
    public long CreateTime { get; set; }
    public long ModifyTime { get; set; }
}

internal sealed class SimLock
{
    public required string ID { get; init; }
    public TimeSpan TTL { get; init; }
    public TimeSpan LockDelay { get; init; }

    /// <summary>When the server-side timer (2×TTL, reset by renew) fires.</summary>
    public DateTimeOffset TimerExpiresAt { get; set; }

    /// <summary>Set once the timer fired: the lock is removed at this instant (after LockDelay).</summary>
    public DateTimeOffset? RemoveAt { get; set; }
}
