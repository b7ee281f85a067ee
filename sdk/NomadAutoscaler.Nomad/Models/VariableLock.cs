using System.Text.Json.Serialization;

namespace NomadAutoscaler.Nomad;

/// <summary>A lock held on a variable. The durations travel as Go duration strings (<c>1m0s</c>).</summary>
public sealed record VariableLock
{
    /// <summary>The lock ID; proves ownership on renew and release.</summary>
    public string ID { get; init; } = "";

    /// <summary>How long the lock lives without a renew.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan TTL { get; init; }

    /// <summary>How long after expiry nobody may take it.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan LockDelay { get; init; }
}
