using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>What one check contributed to an evaluation.</summary>
/// <param name="Check">The check's name.</param>
/// <param name="Metrics">The newest metric value the strategy saw, if any.</param>
/// <param name="MetricCount">How many points the APM returned.</param>
/// <param name="Action">The strategy's action after capping; null when the check failed or was skipped.</param>
/// <param name="Error">The error, when the check failed.</param>
/// <param name="Skipped">True when the check was outside its schedule.</param>
public sealed record CheckOutcome(string Check, double? Metrics, int MetricCount, ScalingAction? Action, string? Error, bool Skipped = false);

/// <summary>How an evaluation ended.</summary>
public enum EvaluationOutcome
{
    /// <summary>The target was scaled.</summary>
    Scaled,

    /// <summary>No change was needed.</summary>
    NoAction,

    /// <summary>A change was wanted but the policy is in cooldown.</summary>
    Cooldown,

    /// <summary>Dry-run: the change was logged, not made.</summary>
    DryRun,

    /// <summary>The target said the scale was a no-op.</summary>
    TargetNoOp,

    /// <summary>The target was not ready.</summary>
    TargetNotReady,

    /// <summary>Outside the policy schedule.</summary>
    OutsideSchedule,

    /// <summary>The evaluation failed.</summary>
    Error,

    /// <summary>The evaluation was cancelled (shutdown or policy removal).</summary>
    Cancelled,
}

/// <summary>A record of one evaluation, kept for the HTTP API's decision history.</summary>
public sealed record EvaluationRecord
{
    /// <summary>When the evaluation was due.</summary>
    public required DateTimeOffset ScheduledAt { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>How it ended.</summary>
    public EvaluationOutcome Outcome { get; init; }

    /// <summary>The target count before.</summary>
    public long? CurrentCount { get; init; }

    /// <summary>The winning action, if any.</summary>
    public ScalingAction? Action { get; init; }

    /// <summary>Each check's contribution.</summary>
    public IReadOnlyList<CheckOutcome> Checks { get; init; } = [];

    /// <summary>The target's reason, when <see cref="Outcome"/> is <see cref="EvaluationOutcome.TargetNoOp"/> and it gave
    /// one (e.g. why a scale-in could remove no node).</summary>
    public string? Reason { get; init; }

    /// <summary>What the target reported doing while its status was read (<see cref="TargetStatusMeta.Notice"/>).</summary>
    public string? Notice { get; init; }

    /// <summary>The error, when <see cref="Outcome"/> is <see cref="EvaluationOutcome.Error"/>.</summary>
    public string? Error { get; init; }
}
