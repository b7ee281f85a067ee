namespace NomadAutoscaler.Nomad;

/// <summary>A policy as listed by <c>GET /v1/scaling/policies</c>.</summary>
public sealed record ScalingPolicyListStub
{
    /// <summary>The policy ID.</summary>
    public string ID { get; init; } = "";

    /// <summary>Whether it is enabled.</summary>
    public bool Enabled { get; init; }

    /// <summary>The policy type.</summary>
    public string Type { get; init; } = "";

    /// <summary><c>Namespace</c>, <c>Job</c>, <c>Group</c> (and <c>Task</c>).</summary>
    public IReadOnlyDictionary<string, string>? Target { get; init; }

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }
}
