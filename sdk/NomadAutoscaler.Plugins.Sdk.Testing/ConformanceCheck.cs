namespace NomadAutoscaler.Plugins.Sdk.Testing;

/// <summary>The outcome of one conformance rule.</summary>
/// <param name="Name">A stable dotted name, e.g. <c>handshake.format</c> (listed in the package README).</param>
/// <param name="Passed">True when the plugin follows the rule (or the rule is optional and not offered).</param>
/// <param name="Message">What was observed, in words a plugin author can act on.</param>
public sealed record ConformanceCheck(string Name, bool Passed, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"[{(Passed ? "PASS" : "FAIL")}] {Name}: {Message}";
}
