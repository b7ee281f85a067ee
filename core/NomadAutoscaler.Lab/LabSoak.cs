using System.Collections.Concurrent;
using System.Diagnostics;
using NomadAutoscaler.Lab.Faults;

namespace NomadAutoscaler.Lab;

/// <summary>Many seeded lab runs with faults, side by side: the fault soak. The CI tier and <c>simulate -soak=N</c>
/// run it the same way.</summary>
public static class LabSoak
{
    /// <summary>Runs <paramref name="count"/> seeds from <paramref name="first"/>, <paramref name="parallelism"/> at a
    /// time; <paramref name="optionsFor"/> gives each seed's options. A seed fails when it breaks an invariant, when an
    /// evaluation throws, or when work escaped the lab's thread (then the run would not repeat).</summary>
    public static LabSoakResult Run(int first, int count, int parallelism, Func<int, LabOptions> optionsFor,
        IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(optionsFor);
        var failures = new ConcurrentBag<LabSoakFailure>();
        var injected = new ConcurrentDictionary<LabFaultClass, int>();
        var longest = new ConcurrentBag<TimeSpan>();
        var watch = Stopwatch.StartNew();
        try
        {
            Soak();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<LabException>().FirstOrDefault() is { } input)
        {
            // Bad input fails every seed alike: say it once, as a single run does.
            throw input;
        }

        void Soak() => Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, seed =>
        {
            try
            {
                var report = LabRun.Run(optionsFor(seed), environment, workingDirectory);
                foreach (var faultClass in Enum.GetValues<LabFaultClass>())
                {
                    var marker = $" fault {LabFaultSpec.Name(faultClass)}:";
                    var hits = report.History.Count(l => l.Contains(marker, StringComparison.Ordinal));
                    injected.AddOrUpdate(faultClass, hits, (_, c) => c + hits);
                }

                if (report.LongestConvergence is { } took) longest.Add(took);
                // Work that escaped the lab's thread makes a seed's run depend on the host's load; it once hid a
                // failure that only showed with all seeds running at once.
                if (report.EscapedWork > 0) failures.Add(new LabSoakFailure(seed, $"{report.EscapedWork} timers were set off the lab's thread: the run does not repeat; the first was set at\n{report.FirstEscape}"));
            }
            catch (Exception ex) when (ex is not LabException)
            {
                failures.Add(new LabSoakFailure(seed, ex.Message));
            }
        });
        watch.Stop();
        return new LabSoakResult
        {
            First = first,
            Count = count,
            Elapsed = watch.Elapsed,
            Failures = [.. failures.OrderBy(f => f.Seed)],
            Injected = injected.Where(e => e.Value > 0).OrderBy(e => e.Key).ToDictionary(e => e.Key, e => e.Value),
            LongestConvergence = longest.IsEmpty ? null : longest.Max(),
        };
    }
}

/// <summary>A seed that failed, and why (for a broken invariant: the seed, the spec to rerun it and the history).</summary>
public sealed record LabSoakFailure(int Seed, string Message);

/// <summary>What a soak found.</summary>
public sealed record LabSoakResult
{
    public required int First { get; init; }

    public required int Count { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required IReadOnlyList<LabSoakFailure> Failures { get; init; }

    /// <summary>Faults injected over all seeds, per class; classes never injected are left out.</summary>
    public required IReadOnlyDictionary<LabFaultClass, int> Injected { get; init; }

    /// <summary>The longest any pool of any seed took to converge after faults stopped.</summary>
    public TimeSpan? LongestConvergence { get; init; }
}
