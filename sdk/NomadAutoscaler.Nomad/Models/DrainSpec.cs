using System.Text.Json.Serialization;

namespace NomadAutoscaler.Nomad;

/// <summary>How to drain a node.</summary>
/// <param name="Deadline">Positive: stop what is left after this long. Zero: no deadline. Negative: force at once.</param>
/// <param name="IgnoreSystemJobs">Leave system-job allocations running.</param>
public sealed record DrainSpec(
    [property: JsonConverter(typeof(NanosecondsConverter))] TimeSpan Deadline,
    bool IgnoreSystemJobs);
