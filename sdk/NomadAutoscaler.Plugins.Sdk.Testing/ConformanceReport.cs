using System.Text;

namespace NomadAutoscaler.Plugins.Sdk.Testing;

/// <summary>All checks of one <see cref="PluginConformance.RunAsync(string, PluginKind, IReadOnlyDictionary{string, string}, CancellationToken)"/> run.</summary>
public sealed class ConformanceReport
{
    internal ConformanceReport(string executablePath, IReadOnlyList<ConformanceCheck> checks)
    {
        ExecutablePath = executablePath;
        Checks = checks;
    }

    /// <summary>The plugin executable that was checked.</summary>
    public string ExecutablePath { get; }

    /// <summary>Every check, in the order it ran.</summary>
    public IReadOnlyList<ConformanceCheck> Checks { get; }

    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.All(check => check.Passed);

    /// <summary>The checks that failed.</summary>
    public IReadOnlyList<ConformanceCheck> Failures => [.. Checks.Where(check => !check.Passed)];

    /// <summary>The check with this name, or null.</summary>
    public ConformanceCheck? this[string name] => Checks.FirstOrDefault(check => check.Name == name);

    /// <summary>Throws <see cref="ConformanceException"/> listing every failed check, if any failed.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed) throw new ConformanceException(this);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder()
            .Append("Plugin conformance of ").Append(ExecutablePath).Append(": ")
            .Append(Checks.Count(c => c.Passed)).Append(" passed, ").Append(Checks.Count(c => !c.Passed)).Append(" failed");
        foreach (var check in Checks) text.AppendLine().Append("  ").Append(check);
        return text.ToString();
    }
}
