namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The state of a scalable target.</summary>
/// <param name="Ready">False while the target cannot be scaled (for example during a deployment); the agent then skips the evaluation.</param>
/// <param name="Count">The target's count.</param>
public sealed record TargetStatus(bool Ready, long Count)
{
    /// <summary>Free-form metadata. <see cref="TargetStatusMeta.LastEvent"/> carries the last scale time for cooldowns.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
}

/// <summary>Well-known keys of <see cref="TargetStatus.Meta"/>.</summary>
public static class TargetStatusMeta
{
    /// <summary>Unix time in nanoseconds of the target's last scaling event; the agent applies cooldown from it.</summary>
    public const string LastEvent = "nomad_autoscaler.last_event";

    /// <summary>Something the target did or refused to do while reading its status (e.g. replaced a broken server),
    /// for the operator: the agent logs it and keeps it in the evaluation's decision history.</summary>
    public const string Notice = "nomad_autoscaler.notice";
}
