using System.Text.Json;

namespace NomadAutoscaler.Nomad;

/// <summary>A scaling policy (<c>GET /v1/scaling/policy/:id</c>, or a task group's <c>Scaling</c>).</summary>
public sealed record ScalingPolicy
{
    /// <summary>The policy ID.</summary>
    public string ID { get; init; } = "";

    /// <summary><c>horizontal</c> (or an Enterprise vertical type).</summary>
    public string Type { get; init; } = "";

    /// <summary><c>Namespace</c>, <c>Job</c>, <c>Group</c> (and <c>Task</c>).</summary>
    public IReadOnlyDictionary<string, string>? Target { get; init; }

    /// <summary>The HCL <c>policy</c> block as JSON: blocks are lists of one-key maps.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Policy { get; init; }

    /// <summary>The minimum count.</summary>
    public long? Min { get; init; }

    /// <summary>The maximum count.</summary>
    public long? Max { get; init; }

    /// <summary>False for stopped jobs and disabled policies.</summary>
    public bool Enabled { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }
}
