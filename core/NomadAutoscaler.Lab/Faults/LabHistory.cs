using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Lab.Faults;

/// <summary>What happened in a run with faults, in virtual time: every fault injected, every scale the agent asked the
/// cloud for, every agent start. It is what a violation prints, and two runs of one seed must write the same one.</summary>
public sealed class LabHistory(TimeProvider clock, DateTimeOffset start)
{
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock) return [.. _lines];
        }
    }

    public void Add(string what)
    {
        var at = clock.GetUtcNow() - start;
        var line = string.Create(CultureInfo.InvariantCulture, $"{(int)at.TotalHours:00}:{at.Minutes:00}:{at.Seconds:00}.{at.Milliseconds:000} {what}");
        lock (_lock) _lines.Add(line);
    }

    /// <summary>The last <paramref name="count"/> lines, one per line.</summary>
    public string Tail(int count)
    {
        var lines = Lines;
        var sb = new StringBuilder();
        if (lines.Count > count) sb.Append(CultureInfo.InvariantCulture, $"  ... {lines.Count - count} earlier events\n");
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - count))) sb.Append("  ").Append(line).Append('\n');
        return sb.ToString();
    }
}

/// <summary>An invariant broke during a lab run: the message names the invariant, the seed and the events leading to it.</summary>
public sealed class LabInvariantException : Exception
{
    public LabInvariantException()
    {
    }

    public LabInvariantException(string message)
        : base(message)
    {
    }

    public LabInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LabInvariantException(string invariant, string detail, int seed, string faults, LabHistory history)
        : base($"invariant broken: {invariant}: {detail}\nseed: {seed} (rerun: -seed={seed} -faults={faults})\nhistory:\n{history.Tail(60)}")
    {
        Invariant = invariant;
        Seed = seed;
        History = history.Lines;
    }

    /// <summary>The invariant's short name (e.g. <c>drain-before-delete</c>).</summary>
    public string Invariant { get; } = "";

    public int Seed { get; }

    public IReadOnlyList<string> History { get; } = [];
}
