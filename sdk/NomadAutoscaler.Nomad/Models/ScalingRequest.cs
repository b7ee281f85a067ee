using System.Text.Json.Nodes;

namespace NomadAutoscaler.Nomad;

/// <summary>The body of <c>PUT /v1/job/:id/scale</c>.</summary>
public sealed record ScalingRequest
{
    /// <summary>The new count; null only records an event.</summary>
    public long? Count { get; init; }

    /// <summary><c>Job</c> and <c>Group</c> (required).</summary>
    public IReadOnlyDictionary<string, string> Target { get; init; } = new Dictionary<string, string>();

    /// <summary>The reason, shown in the job's scaling events.</summary>
    public string Message { get; init; } = "";

    /// <summary>Records an error event (then <see cref="Count"/> must be null).</summary>
    public bool Error { get; init; }

    /// <summary>Free-form meta stored with the event.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Meta { get; init; }

    /// <summary>Overrides soft-mandatory Sentinel policies.</summary>
    public bool PolicyOverride { get; init; }

    /// <summary>Check-and-set on the job's modify index; 0 disables it.</summary>
    public ulong JobModifyIndex { get; init; }
}
