using System.Text.Json;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>The outcome of one goplugin-host run.</summary>
internal sealed class GoHostRun(int exitCode, string stdout, string stderr)
{
    private const int StderrTail = 6000;

    // Parsed on first use: a -bench run prints a report, not steps.
    private readonly Lazy<IReadOnlyList<HostStep>> _steps = new(() =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(HostStep.Parse)]);

    public int ExitCode { get; } = exitCode;

    public string Stdout { get; } = stdout;

    public string Stderr { get; } = stderr;

    public IReadOnlyList<HostStep> Steps => _steps.Value;

    public IReadOnlyList<string> Methods => [.. Steps.Select(s => s.Method)];

    public HostStep Step(string method)
    {
        var matches = Steps.Where(s => s.Method == method).ToList();
        Assert.True(matches.Count == 1, $"expected exactly one '{method}' step\n{Describe()}");
        return matches[0];
    }

    public JsonElement Response(string method) => Step(method).Response;

    /// <summary>Asserts exit status 0 and that every step reports ok, showing the host's output otherwise.</summary>
    public void AssertSucceeded()
    {
        var failed = Steps.Where(s => !s.Ok).Select(s => $"{s.Method}: {s.Code} {s.Error}").ToList();
        Assert.True(ExitCode == 0 && failed.Count == 0 && Steps.Count > 0,
            $"goplugin-host exit {ExitCode}, failed steps: [{string.Join("; ", failed)}]\n{Describe()}");
    }

    public string Describe()
    {
        var tail = Stderr.Length > StderrTail ? Stderr[^StderrTail..] : Stderr;
        return $"--- stdout ---\n{Stdout}\n--- stderr (tail) ---\n{tail}";
    }
}
