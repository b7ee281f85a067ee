using System.Globalization;
using NomadAutoscaler.Lab;
using NomadAutoscaler.Lab.Faults;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Agent.Cli;

/// <summary>
/// <c>nomad-autoscaler simulate</c>: runs an operator's own agent configuration and policies against a workload in
/// virtual time, with the real engine and plugins, and reports how closely capacity followed demand against the
/// clairvoyant bound. Exit 0 on a completed run, 1 on bad input.
/// </summary>
internal static class SimulateCommand
{
    private static readonly FlagSpec[] Flags =
    [
        new("config", FlagKind.Repeatable, "PATH", "Agent configuration file or directory; may be repeated."),
        new("policy-dir", FlagKind.String, "DIR", "Directory of scaling policy files (required)."),
        new("workload", FlagKind.String, "FILE", "Workload schedule, or a CSV trace when the name ends in .csv (required)."),
        new("duration", FlagKind.String, "DURATION", "Virtual time to run (default 24h)."),
        new("seed", FlagKind.String, "N", "Seed of boot jitter, boot failures and object IDs (default 1)."),
        new("boot-delay", FlagKind.String, "DURATION", "Server create to ACTIVE (default 90s)."),
        new("boot-jitter", FlagKind.String, "DURATION", "Each boot takes the delay plus or minus up to this (default 0s)."),
        new("boot-failure-rate", FlagKind.String, "RATE", "Share of new servers that go to ERROR, 0 to 1 (default 0)."),
        new("node-cpu", FlagKind.String, "MHZ", "CPU of one pool node (default 4000)."),
        new("node-memory", FlagKind.String, "MIB", "Memory of one pool node (default 8192)."),
        new("json", FlagKind.Bool, "", "Print the report as JSON."),
        new("log-level", FlagKind.String, "LEVEL", "Print the agent's log lines to stderr, in virtual time, at this level."),
        new("report", FlagKind.String, "FILE.html", "Also write a self-contained HTML report with charts."),
        new("faults", FlagKind.String, "SPEC", "Fault schedule drawn from -seed: all, or class[=rate],... (docs/reliability.md); checks the invariants."),
        new("faults-until", FlagKind.String, "DURATION", "Faults stop this far into the run (default: the duration less 1h)."),
        new("soak", FlagKind.String, "N", "Run N seeds from -seed side by side with -faults (default all) and report the ones that broke an invariant."),
        new("parallel", FlagKind.String, "N", "With -soak: seeds run at once (default: the number of cores)."),
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        LabOptions options;
        string? html;
        bool json;
        int soak;
        int parallel;
        try
        {
            var parsed = GoFlags.Parse(args, Flags);
            if (parsed.HelpRequested)
            {
                stdout.WriteLine(HelpText.Simulate);
                return 0;
            }

            if (parsed.Positional.Count > 0) throw new FlagException($"unexpected argument \"{parsed.Positional[0]}\"");
            options = new LabOptions
            {
                ConfigPaths = [.. parsed.All("config")],
                PolicyDir = parsed.Last("policy-dir") ?? throw new FlagException("-policy-dir is required"),
                WorkloadPath = parsed.Last("workload") ?? throw new FlagException("-workload is required"),
                Duration = Duration(parsed, "duration", TimeSpan.FromHours(24)),
                Seed = Integer(parsed, "seed", 1, int.MinValue),
                BootDelay = Duration(parsed, "boot-delay", TimeSpan.FromSeconds(90)),
                BootJitter = Duration(parsed, "boot-jitter", TimeSpan.Zero),
                BootFailureRate = Rate(parsed, "boot-failure-rate"),
                NodeCpu = Integer(parsed, "node-cpu", 4000, 1),
                NodeMemory = Integer(parsed, "node-memory", 8192, 1),
                LogLevel = parsed.Last("log-level"),
                FaultSpec = FaultSpec(parsed),
                FaultsUntil = parsed.Last("faults-until") is null ? null : Duration(parsed, "faults-until", TimeSpan.Zero),
            };
            html = parsed.Last("report");
            json = parsed.Last("json") == "true";
            soak = Integer(parsed, "soak", 0, 1);
            parallel = Integer(parsed, "parallel", Environment.ProcessorCount, 1);
            if (soak > 0 && (html is not null || json)) throw new FlagException("-soak prints a summary of its seeds; it takes no -report or -json");
            if (soak > 0 && parsed.Last("faults") is null) options = options with { FaultSpec = LabFaultSpec.Parse("all") };
        }
        catch (FlagException ex)
        {
            stderr.WriteLine(ex.Message);
            stderr.WriteLine(HelpText.SimulateHelpHint);
            return 1;
        }

        if (soak > 0) return Soak(options, soak, parallel, stdout, stderr, environment, workingDirectory);

        LabReport report;
        try
        {
            report = LabRun.Run(options, environment, workingDirectory);
        }
        catch (LabException ex)
        {
            stderr.WriteLine(ex.Message);
            return 1;
        }
        catch (LabInvariantException ex)
        {
            stderr.WriteLine(ex.Message);
            return 2;
        }

        if (options.FaultSpec.Any)
        {
            var faults = report.History.Count(l => l.Contains(" fault ", StringComparison.Ordinal));
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"faults: {faults} injected ({options.FaultSpec}), seed {options.Seed}; every invariant held; converged {(report.LongestConvergence is { } c ? GoDuration.Format(c) : "never checked")} after faults stopped"));
        }

        stdout.Write(json ? LabReportWriter.Json(report) : LabReportWriter.Text(report));
        if (html is not null)
        {
            try
            {
                File.WriteAllText(Path.Combine(workingDirectory, html), LabHtmlReport.Render(report));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"-report: {ex.Message}");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Exit 0 when every seed kept every invariant, 2 when one did not, 1 on bad input.</summary>
    private static int Soak(LabOptions options, int count, int parallel, TextWriter stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        LabSoakResult result;
        try
        {
            result = LabSoak.Run(options.Seed, count, parallel, seed => options with { Seed = seed }, environment, workingDirectory);
        }
        catch (LabException ex)
        {
            stderr.WriteLine(ex.Message);
            return 1;
        }

        foreach (var failure in result.Failures)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {failure.Seed}: {failure.Message}"));
            stderr.WriteLine();
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {result.Count} seeds from {result.First} ({options.FaultSpec}) in {result.Elapsed.TotalSeconds:0.0} s; {result.Failures.Count} broke an invariant{(result.Failures.Count > 0 ? ": " + string.Join(", ", result.Failures.Select(f => f.Seed)) : "")}"));
        foreach (var (faultClass, hits) in result.Injected)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {LabFaultSpec.Name(faultClass)}: {hits} injected"));
        stdout.WriteLine($"longest convergence after faults stopped: {(result.LongestConvergence is { } c ? GoDuration.Format(c) : "never checked")}");
        return result.Failures.Count > 0 ? 2 : 0;
    }

    private static LabFaultSpec FaultSpec(ParsedFlags parsed)
    {
        if (parsed.Last("faults") is not { } text) return LabFaultSpec.None;
        try
        {
            return LabFaultSpec.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new FlagException(ex.Message);
        }
    }

    private static TimeSpan Duration(ParsedFlags parsed, string name, TimeSpan fallback)
    {
        if (parsed.Last(name) is not { } text) return fallback;
        if (!GoDuration.TryParse(text, out var value) || value < TimeSpan.Zero)
            throw new FlagException($"invalid value \"{text}\" for flag -{name}: parse error");
        return value;
    }

    private static int Integer(ParsedFlags parsed, string name, int fallback, int minimum)
    {
        if (parsed.Last(name) is not { } text) return fallback;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum)
            throw new FlagException($"invalid value \"{text}\" for flag -{name}: parse error");
        return value;
    }

    private static double Rate(ParsedFlags parsed, string name)
    {
        if (parsed.Last(name) is not { } text) return 0;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
            throw new FlagException($"invalid value \"{text}\" for flag -{name}: must be a number from 0 to 1");
        return value;
    }
}
