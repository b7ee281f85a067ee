using System.Text.Json;

namespace NomadAutoscaler.Nomad;

/// <summary>A recorded scaling action of a task group.</summary>
public sealed record ScalingEvent
{
    /// <summary>Unix nanoseconds (kept as an integer: it does not fit a double exactly).</summary>
    public long Time { get; init; }

    /// <summary>The new count; null for error-only or dry-run events.</summary>
    public long? Count { get; init; }

    /// <summary>The count before.</summary>
    public long PreviousCount { get; init; }

    /// <summary>The reason.</summary>
    public string Message { get; init; } = "";

    /// <summary>True for error events.</summary>
    public bool Error { get; init; }

    /// <summary>Meta passed with the request.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Meta { get; init; }

    /// <summary>The evaluation created, if any.</summary>
    public string? EvalID { get; init; }

    /// <summary>Raft index of the event.</summary>
    public ulong CreateIndex { get; init; }
}
