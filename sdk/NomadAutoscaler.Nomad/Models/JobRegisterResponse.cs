namespace NomadAutoscaler.Nomad;

/// <summary>The reply to a job scale.</summary>
public sealed record JobRegisterResponse
{
    /// <summary>The evaluation created; empty when none was.</summary>
    public string EvalID { get; init; } = "";

    /// <summary>Raft index of the evaluation.</summary>
    public ulong EvalCreateIndex { get; init; }

    /// <summary>The job's new modify index.</summary>
    public ulong JobModifyIndex { get; init; }

    /// <summary>Warnings from the server.</summary>
    public string Warnings { get; init; } = "";

    /// <summary>Raft index of the last write.</summary>
    public ulong Index { get; init; }
}
