using System.Text.Json.Serialization;

namespace NomadAutoscaler.Nomad;

/// <summary>A running drain.</summary>
public sealed record DrainStrategy
{
    /// <summary>The deadline: positive = deadline, zero = none, negative = forced at once.</summary>
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Deadline { get; init; }

    /// <summary>Whether system-job allocations are left running.</summary>
    public bool IgnoreSystemJobs { get; init; }

    /// <summary>When remaining allocations are stopped by force; null without a positive deadline.</summary>
    public DateTimeOffset? ForceDeadline { get; init; }

    /// <summary>When the drain started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
