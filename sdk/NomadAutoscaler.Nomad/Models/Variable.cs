namespace NomadAutoscaler.Nomad;

/// <summary>A Nomad variable (or its metadata, when <see cref="Items"/> is null).</summary>
public sealed record Variable
{
    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The path, e.g. <c>nomad-autoscaler/lock</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary>Raft index of creation.</summary>
    public ulong CreateIndex { get; init; }

    /// <summary>Raft index of the last change.</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>Unix nanoseconds of creation.</summary>
    public long CreateTime { get; init; }

    /// <summary>Unix nanoseconds of the last change.</summary>
    public long ModifyTime { get; init; }

    /// <summary>The items (values may be secrets: never log them).</summary>
    public IReadOnlyDictionary<string, string>? Items { get; init; }

    /// <summary>The lock on the variable, if any (shown to management tokens only).</summary>
    public VariableLock? Lock { get; init; }
}
