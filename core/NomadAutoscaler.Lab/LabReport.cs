namespace NomadAutoscaler.Lab;

/// <summary>The figures of one lab run, each beside its clairvoyant bound.</summary>
public sealed record LabReport
{
    public required string Workload { get; init; }

    public required TimeSpan Duration { get; init; }

    public required int Seed { get; init; }

    public required TimeSpan BootDelay { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required IReadOnlyList<LabPolicyReport> Policies { get; init; }

    /// <summary>Timers set off the lab's thread: work that escaped to the thread pool; non-zero means the run may not repeat exactly.</summary>
    public int EscapedWork { get; init; }

    /// <summary>Where the first escaped timer was set (a stack trace), or null.</summary>
    public string? FirstEscape { get; init; }

    /// <summary>With faults or invariant checks: what happened (faults, cloud calls, decisions), in virtual time.</summary>
    public IReadOnlyList<string> History { get; init; } = [];

    /// <summary>With faults or invariant checks: the longest a pool took, after faults stopped, to reach what its policy wants.</summary>
    public TimeSpan? LongestConvergence { get; init; }

    /// <summary>How far past the decision the demand is looked at when judging a scale-out's overshoot.</summary>
    public static readonly TimeSpan OvershootWindow = TimeSpan.FromHours(1);

    internal static LabReport Build(LabOptions options, IReadOnlyList<PolicyTrack> tracks, int escapedWork) => new()
    {
        Workload = Path.GetFileName(options.WorkloadPath),
        Duration = options.Duration,
        Seed = options.Seed,
        BootDelay = options.BootDelay,
        Start = options.Start,
        Policies = [.. tracks.Select(LabPolicyReport.From)],
        EscapedWork = escapedWork,
    };
}

/// <summary>One policy's figures. Node figures are for cluster policies; allocation figures for task groups.</summary>
public sealed record LabPolicyReport
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required long Min { get; init; }

    public required long Max { get; init; }

    public double? NodeHours { get; init; }

    public double? BoundNodeHours { get; init; }

    public double? IdleNodeHours { get; init; }

    public double? AllocHours { get; init; }

    public double? BoundAllocHours { get; init; }

    public double? ExcessAllocHours { get; init; }

    public double? OverloadSeconds { get; init; }

    public required double PendingWaitP50 { get; init; }

    public required double PendingWaitP95 { get; init; }

    public required double PendingWaitMax { get; init; }

    public required int AllocationsWaited { get; init; }

    public required double UnplacedAllocSeconds { get; init; }

    public required int ScaleActions { get; init; }

    public required long MaxOvershoot { get; init; }

    public required IReadOnlyList<LabDecisionReport> Decisions { get; init; }

    /// <summary>Capacity and demand over time, one point a minute (and at the end).</summary>
    public required IReadOnlyList<LabPoint> Timeline { get; init; }

    /// <summary>Capacity-hours over their bound: 1.0 is clairvoyant.</summary>
    public double? Ratio => NodeHours is { } used && BoundNodeHours is > 0 and var bound ? used / bound
        : AllocHours is { } allocs && BoundAllocHours is > 0 and var allocBound ? allocs / allocBound : null;

    internal static LabPolicyReport From(PolicyTrack track)
    {
        var waits = track.Waits.Order().ToList();
        var cluster = track.IsCluster;
        return new LabPolicyReport
        {
            Name = track.Name,
            Type = track.Policy.Type,
            Min = track.Policy.Min,
            Max = track.Policy.Max,
            NodeHours = cluster ? Hours(track.NodeSeconds) : null,
            BoundNodeHours = cluster ? Hours(track.BoundNodeSeconds) : null,
            IdleNodeHours = cluster ? Hours(track.IdleNodeSeconds) : null,
            AllocHours = cluster ? null : Hours(track.AllocSeconds),
            BoundAllocHours = cluster ? null : Hours(track.BoundNodeSeconds),
            ExcessAllocHours = cluster ? null : Hours(track.ExcessAllocSeconds),
            OverloadSeconds = cluster ? null : Math.Round(track.OverloadSeconds, 1),
            PendingWaitP50 = Percentile(waits, 0.50),
            PendingWaitP95 = Percentile(waits, 0.95),
            PendingWaitMax = waits.Count == 0 ? 0 : Math.Round(waits[^1], 1),
            AllocationsWaited = waits.Count,
            UnplacedAllocSeconds = Math.Round(track.UnplacedAllocSeconds, 1),
            ScaleActions = track.Decisions.Count,
            MaxOvershoot = track.Decisions.Select(d => Overshoot(track, d)).DefaultIfEmpty(0).Max(),
            Decisions = [.. track.Decisions.Select(d => new LabDecisionReport(d.DecidedAt, d.FinishedAt, d.From, d.To, d.Reason, Overshoot(track, d)))],
            Timeline = [.. track.Timeline.Select(s => new LabPoint(s.At, s.Capacity, s.Ready, s.Bound, s.Missing))],
        };
    }

    /// <summary>Capacity a scale-out added beyond the most the demand needed from the decision to an hour later.</summary>
    private static long Overshoot(PolicyTrack track, LabDecision decision)
    {
        if (decision.To <= decision.From) return 0;
        var until = decision.DecidedAt + LabReport.OvershootWindow;
        var needed = 0;
        foreach (var (at, value) in track.BoundChanges)
        {
            if (at > until) break;
            // The value in force at the decision, and every later one within the window.
            if (at <= decision.DecidedAt) needed = value;
            else needed = Math.Max(needed, value);
        }

        return Math.Max(0, decision.To - Math.Max(decision.From, needed));
    }

    private static double Hours(double seconds) => Math.Round(seconds / 3600, 3);

    /// <summary>Nearest-rank percentile, in seconds.</summary>
    private static double Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 1);
    }
}

/// <summary>A scaling action with the overshoot it carried.</summary>
public sealed record LabDecisionReport(DateTimeOffset DecidedAt, DateTimeOffset FinishedAt, long From, long To, string Reason, long Overshoot);

/// <summary>Capacity (servers, or the group's count), ready (joined nodes, or running allocations), the bound and the
/// allocations waiting, at one instant.</summary>
public sealed record LabPoint(DateTimeOffset At, int Capacity, int Ready, int Bound, int Missing);
