namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Configuration that cannot be used. It travels as gRPC <c>INVALID_ARGUMENT</c> with one
/// field violation per bad key.</summary>
public sealed class PluginConfigException : Exception
{
    /// <summary>Creates the exception for a single bad key.</summary>
    public PluginConfigException(string key, string problem)
        : this([new ConfigViolation(key, problem)]) { }

    /// <summary>Creates the exception for several bad keys.</summary>
    public PluginConfigException(IReadOnlyList<ConfigViolation> violations)
        : base(Describe(violations)) => Violations = violations;

    /// <summary>Creates the exception with a message only.</summary>
    public PluginConfigException() : this([]) { }

    /// <summary>Creates the exception with a message only.</summary>
    public PluginConfigException(string message) : base(message) => Violations = [];

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PluginConfigException(string message, Exception innerException) : base(message, innerException) => Violations = [];

    /// <summary>Each bad key and what is wrong with it.</summary>
    public IReadOnlyList<ConfigViolation> Violations { get; }

    private static string Describe(IReadOnlyList<ConfigViolation> violations) => violations.Count switch
    {
        0 => "invalid configuration",
        1 => $"invalid configuration: {violations[0]}",
        _ => "invalid configuration: " + string.Join("; ", violations),
    };
}

/// <summary>One bad configuration key.</summary>
/// <param name="Key">The key as written in the configuration.</param>
/// <param name="Problem">What is wrong, in words a user can act on.</param>
public sealed record ConfigViolation(string Key, string Problem)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Problem}";
}
