using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Lab;

/// <summary>What the lab measures for one policy while it runs, and the figures it ends with.</summary>
internal sealed class PolicyTrack(ScalingPolicy policy)
{
    public ScalingPolicy Policy { get; } = policy;

    public string Name => Policy.Name;

    public bool IsCluster => NodeClass is not null;

    /// <summary>The node class of a cluster policy's pool; null for a task-group policy.</summary>
    public string? NodeClass { get; init; }

    /// <summary>The simulated cloud's pool that plays this policy's target.</summary>
    public string? CloudPool { get; init; }

    public string Namespace { get; init; } = "default";

    public string? Job { get; init; }

    public string? Group { get; init; }

    // Integrals, in seconds (node-seconds, allocation-seconds).
    public double NodeSeconds { get; set; }
    public double BoundNodeSeconds { get; set; }
    public double IdleNodeSeconds { get; set; }
    public double UnplacedAllocSeconds { get; set; }
    public double OverloadSeconds { get; set; }
    public double AllocSeconds { get; set; }
    public double ExcessAllocSeconds { get; set; }

    /// <summary>Waits from "wanted" to "running" of every allocation that started, in seconds.</summary>
    public List<double> Waits { get; } = [];

    /// <summary>When each still-missing allocation of a job became wanted, oldest first.</summary>
    public Dictionary<string, LinkedList<DateTimeOffset>> Wanted { get; } = new(StringComparer.Ordinal);

    public List<LabDecision> Decisions { get; } = [];

    public List<LabSample> Timeline { get; } = [];

    /// <summary>The bound (nodes, or allocations for a task group) from each instant it changed.</summary>
    public List<(DateTimeOffset At, int Value)> BoundChanges { get; } = [];

    /// <summary>The demand the bound was last packed for, and that bound.</summary>
    public List<(int Count, int Cpu, int Memory)>? LastDemand { get; set; }

    public int LastBound { get; set; }

    /// <summary>The last sample's values, which hold until the next sample.</summary>
    public LabSample? Last { get; set; }
}

/// <summary>One scaling action the engine took (not a no-op): when it was decided and finished, from and to.</summary>
internal sealed record LabDecision(DateTimeOffset DecidedAt, DateTimeOffset FinishedAt, long From, long To, string Reason);

/// <summary>The state of a policy's target at one instant. For a cluster policy, capacity counts servers (booting
/// ones too: they cost money), ready counts joined nodes; for a task group both count allocations.</summary>
internal sealed record LabSample(DateTimeOffset At, int Capacity, int Ready, int Bound, int Missing, int Idle, double Load);
