using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Bench.Engine;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

// Evaluation engine benchmark. Usage: dotnet run -c Release --project bench/NomadAutoscaler.Bench.Engine
//   [--quick] [--policies N] [--interval S] [--warmup S] [--measure S] [--mode external|in-process|both] [--write-doc]
var settings = EngineBenchSettings.Parse(args);
var root = Paths.RepositoryRoot();
var configuration = Paths.Configuration();
Console.Error.WriteLine($"engine bench: {settings.Policies} policies every {settings.Interval.TotalSeconds:0} s, warm-up {settings.Warmup.TotalSeconds:0} s, measured {settings.Measure.TotalSeconds:0} s ({configuration} plugins)");

var results = new List<EngineResult>();
foreach (var inProcess in settings.Modes)
{
    results.Add(await EngineRun.RunAsync(settings, root, configuration, inProcess));
    // Let the previous run's plugin processes and memory go before the next one is measured.
    GC.Collect();
    GC.WaitForPendingFinalizers();
}

var table = EngineReport.Markdown(settings, results);
Console.WriteLine(table);
if (settings.WriteDoc)
{
    var doc = Path.Combine(root, "docs", "performance.md");
    File.WriteAllText(doc, EngineReport.UpdateDoc(File.Exists(doc) ? File.ReadAllText(doc) : null, table));
    Console.Error.WriteLine($"updated {doc}");
}

return results.All(r => r.Error is null) ? 0 : 1;

namespace NomadAutoscaler.Bench.Engine
{
    internal sealed record EngineBenchSettings
    {
        public int Policies { get; init; } = 10_000;

        public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

        public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(25);

        public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(60);

        public IReadOnlyList<bool> Modes { get; init; } = [false, true];

        public bool Quick { get; init; }

        public bool WriteDoc { get; init; }

        public static EngineBenchSettings Parse(string[] args)
        {
            var settings = new EngineBenchSettings();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                settings = args[i] switch
                {
                    "--quick" => settings with { Quick = true, Warmup = TimeSpan.FromSeconds(15), Measure = TimeSpan.FromSeconds(20) },
                    "--policies" => settings with { Policies = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--interval" => settings with { Interval = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                    "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                    "--measure" => settings with { Measure = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                    "--mode" => settings with
                    {
                        Modes = Next() switch
                        {
                            "external" => [false],
                            "in-process" => [true],
                            "both" => [false, true],
                            var other => throw new ArgumentException($"--mode {other}: want external, in-process or both"),
                        },
                    },
                    "--write-doc" => settings with { WriteDoc = true },
                    var other => throw new ArgumentException($"unknown argument {other}; see the usage line in Program.cs"),
                };
            }

            // The handler keeps the last 20 evaluations, which is where lateness is read from.
            if (settings.Measure / settings.Interval > PolicyHandler.HistorySize - 2)
                throw new ArgumentException($"--measure must be at most {PolicyHandler.HistorySize - 2} intervals");
            return settings;
        }
    }

    internal sealed record EngineResult(
        string Mode, int Policies, TimeSpan LoadTime, double EvaluationsPerSecond, long Evaluations, long Expected, long Errors,
        double LatenessP50Ms, double LatenessP99Ms, double LatenessMaxMs, double DurationP50Ms, double DurationP99Ms, double AgentCpuPercent, double PluginCpuPercent,
        double RssMiB, double PeakRssMiB, string LoadAverage, string? Error);

    internal static class Paths
    {
        public static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) return dir.FullName;
            throw new InvalidOperationException($"no Plugins.sln above {AppContext.BaseDirectory}");
        }

        /// <summary>artifacts/bin/&lt;project&gt;/&lt;config&gt;/: the bench's own folder name says which configuration it was built in.</summary>
        public static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

        public static string PluginBuildDir(string root, string configuration, string id) => Path.Combine(root, "artifacts", "bin", id, configuration);
    }

    /// <summary>CPU time of a process from /proc/&lt;pid&gt;/stat (utime + stime, in clock ticks of 1/100 s on Linux).</summary>
    internal static class ProcStat
    {
        public static double CpuSeconds(int pid)
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }

        public static (double RssMiB, double PeakMiB) Memory(int pid)
        {
            double rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2) continue;
                if (fields[0] == "VmRSS:") rss = long.Parse(fields[1], CultureInfo.InvariantCulture) / 1024.0;
                else if (fields[0] == "VmHWM:") peak = long.Parse(fields[1], CultureInfo.InvariantCulture) / 1024.0;
            }

            return (rss, peak);
        }

        public static string LoadAverage()
            => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
    }

    internal static class EngineRun
    {
        private static readonly string[] PluginIds = ["noop-apm", "noop-strategy", "noop-target"];

        public static async Task<EngineResult> RunAsync(EngineBenchSettings settings, string root, string configuration, bool inProcess)
        {
            var mode = inProcess ? "in-process" : "out-of-process";
            var work = Directory.CreateTempSubdirectory("engine-bench-").FullName;
            try
            {
                var pluginDir = PluginDir(work, root, configuration, inProcess);
                var policyDir = Directory.CreateDirectory(Path.Combine(work, "policies")).FullName;
                for (var i = 0; i < settings.Policies; i++)
                    await File.WriteAllTextAsync(Path.Combine(policyDir, $"p{i:D5}.hcl"), Policy(i, settings.Interval));

                // The agent's own log format at its default level, written nowhere: formatting is part of the cost.
                using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information)
                    .AddProvider(new HclogLoggerProvider(new HclogOptions(), TextWriter.Null)));
                await using var plugins = new PluginManager(new PluginHostOptions { PluginDir = pluginDir, StartTimeout = TimeSpan.FromSeconds(60) }, loggers);
                var loadMode = inProcess ? PluginLoadMode.InProcess : PluginLoadMode.External;
                await plugins.StartAsync(
                [
                    new PluginBlock(PluginKind.Apm, "noop-apm", "noop-apm", [], new Dictionary<string, string> { ["value"] = "1" }, loadMode),
                    new PluginBlock(PluginKind.Strategy, "noop-strategy", "noop-strategy", [], new Dictionary<string, string>(), loadMode),
                    new PluginBlock(PluginKind.Target, "noop-target", "noop-target", [], new Dictionary<string, string> { ["count"] = "1" }, loadMode),
                ], CancellationToken.None);
                var pluginPids = new[] { plugins.GetProcessId(PluginKind.Apm, "noop-apm"), plugins.GetProcessId(PluginKind.Strategy, "noop-strategy"), plugins.GetProcessId(PluginKind.Target, "noop-target") }
                    .OfType<int>().ToList();

                using var metrics = new AutoscalerMetrics();
                await using var engine = new PolicyManager(new PluginManagerDirectory(plugins),
                    new Dictionary<string, int> { [PolicyTypes.Cluster] = 10, [PolicyTypes.Horizontal] = 10 }, TimeProvider.System, loggers, metrics);
                using var source = new FilePolicySource(policyDir, FilePolicyDefaults.Upstream, loggers);
                using var stop = new CancellationTokenSource();
                var load = Stopwatch.StartNew();
                var running = engine.RunAsync([source], stop.Token);
                while (engine.Count < settings.Policies)
                {
                    if (load.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"only {engine.Count} of {settings.Policies} policies loaded in 3 minutes");
                    await Task.Delay(100);
                }

                var loadTime = load.Elapsed;
                Console.Error.WriteLine($"  {mode}: {settings.Policies} policies running after {loadTime.TotalSeconds:F1} s; warming up");
                await Task.Delay(settings.Warmup);

                var self = Environment.ProcessId;
                var cpu0 = ProcStat.CpuSeconds(self);
                var pluginCpu0 = pluginPids.Sum(ProcStat.CpuSeconds);
                var wall = Stopwatch.StartNew();
                var from = DateTimeOffset.UtcNow;
                await Task.Delay(settings.Measure);
                var to = DateTimeOffset.UtcNow;
                var elapsed = wall.Elapsed.TotalSeconds;
                var cpu = (ProcStat.CpuSeconds(self) - cpu0) / elapsed * 100;
                var pluginCpu = (pluginPids.Sum(ProcStat.CpuSeconds) - pluginCpu0) / elapsed * 100;
                var (rss, peak) = ProcStat.Memory(self);
                var loadAverage = ProcStat.LoadAverage();

                // Evaluations that were due inside the window, from every handler's history.
                var lateness = new List<double>(settings.Policies * 8);
                var durations = new List<double>(settings.Policies * 8);
                long errors = 0;
                var errorTexts = new HashSet<string>(StringComparer.Ordinal);
                foreach (var handler in engine.Handlers)
                {
                    foreach (var record in handler.History)
                    {
                        if (record.ScheduledAt < from || record.ScheduledAt >= to) continue;
                        lateness.Add((record.StartedAt - record.ScheduledAt).TotalMilliseconds);
                        durations.Add((record.FinishedAt - record.StartedAt).TotalMilliseconds);
                        if (record.Outcome != EvaluationOutcome.Error) continue;
                        errors++;
                        if (record.Error is { } error) errorTexts.Add(error);
                    }
                }

                foreach (var error in errorTexts.Take(5)) Console.Error.WriteLine($"  {mode}: evaluation error: {error}");
                var expected = (long)(settings.Policies * (to - from).TotalSeconds / settings.Interval.TotalSeconds);
                await stop.CancelAsync();
                await running;
                lateness.Sort();
                durations.Sort();
                return new EngineResult(mode, settings.Policies, loadTime, lateness.Count / (to - from).TotalSeconds, lateness.Count, expected, errors,
                    Percentile(lateness, 50), Percentile(lateness, 99), lateness.Count == 0 ? double.NaN : lateness[^1],
                    Percentile(durations, 50), Percentile(durations, 99), cpu, pluginCpu, rss, peak, loadAverage, errors > 0 ? $"{errors} evaluations failed" : null);
            }
            catch (Exception ex) when (ex is TimeoutException or PluginException or IOException)
            {
                Console.Error.WriteLine($"  {mode}: failed: {ex.Message}");
                return new EngineResult(mode, settings.Policies, TimeSpan.Zero, 0, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, 0, 0, 0,
                    ProcStat.LoadAverage(), ex.Message);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }

        private static double Percentile(List<double> sorted, int percent)
            => sorted.Count == 0 ? double.NaN : sorted[Math.Max(1, ((percent * sorted.Count) + 99) / 100) - 1];

        /// <summary>External plugins are exec wrappers so each runs from its build folder; in-process ones are the
        /// documented &lt;dir&gt;/&lt;id&gt;/ layout, here a link to the build folder.</summary>
        private static string PluginDir(string work, string root, string configuration, bool inProcess)
        {
            var dir = Directory.CreateDirectory(Path.Combine(work, "plugins")).FullName;
            foreach (var id in PluginIds)
            {
                var build = Paths.PluginBuildDir(root, configuration, id);
                if (!File.Exists(Path.Combine(build, id + ".dll")))
                    throw new IOException($"{build}/{id}.dll is missing; build the bench (it references the noop plugins) in {configuration}");
                if (inProcess)
                {
                    Directory.CreateSymbolicLink(Path.Combine(dir, id), build);
                    continue;
                }

                var wrapper = Path.Combine(dir, id);
                File.WriteAllText(wrapper, $"#!/bin/sh\nexec '{Path.Combine(build, id)}' \"$@\"\n");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return dir;
        }

        // A target-value-shaped policy: one APM query, one strategy run and one target status per evaluation. The
        // noop strategy proposes no change, so no scale is made and the cooldown never hides an evaluation.
        private static string Policy(int i, TimeSpan interval) => $$"""
            scaling "bench_{{i}}" {
              enabled = true
              type    = "horizontal"
              min     = 1
              max     = 10
              policy {
                cooldown            = "1m"
                evaluation_interval = "{{(int)interval.TotalSeconds}}s"
                check "load" {
                  source = "noop-apm"
                  query  = "load_{{i}}"
                  strategy "noop-strategy" {}
                }
                target "noop-target" {
                  Job   = "job-{{i}}"
                  Group = "group"
                }
              }
            }
            """;
    }

    internal static class EngineReport
    {
        public const string Heading = "## Evaluation engine";
        public const string Begin = "<!-- bench:engine:begin (written by bench/NomadAutoscaler.Bench.Engine --write-doc; edits inside are overwritten) -->";
        public const string End = "<!-- bench:engine:end -->";

        public static string Markdown(EngineBenchSettings settings, IReadOnlyList<EngineResult> results)
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"Run of {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: {settings.Policies:N0} file policies every {settings.Interval.TotalSeconds:0} s, "
                + $"{settings.Measure.TotalSeconds:0} s measured after {settings.Warmup.TotalSeconds:0} s of warm-up{(settings.Quick ? " (--quick)" : "")}, "
                + $"nproc {Environment.ProcessorCount}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}.");
            text.AppendLine();
            text.AppendLine("| plugins | evaluations/s (expected) | lateness p50 | lateness p99 | lateness max | evaluation p50 / p99 | agent CPU | plugin CPU | agent RSS (peak) | policies load | load average | goal met |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                if (r.Error is not null && r.Evaluations == 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Mode} | failed: {r.Error} | | | | | | | | | {r.LoadAverage} | no |");
                    continue;
                }

                var expectedRate = r.Expected / settings.Measure.TotalSeconds;
                var met = r.EvaluationsPerSecond >= 1000 * 0.98 && r.LatenessP99Ms < 250 && r.RssMiB < 300 && r.Error is null;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Mode} | {r.EvaluationsPerSecond:F0} ({expectedRate:F0}) | {r.LatenessP50Ms:F1} ms | {r.LatenessP99Ms:F1} ms | {r.LatenessMaxMs:F0} ms | {r.DurationP50Ms:F1} / {r.DurationP99Ms:F0} ms | {r.AgentCpuPercent:F0} % | "
                    + $"{(r.Mode == "in-process" ? "–" : $"{r.PluginCpuPercent:F0} %")} | {r.RssMiB:F0} MiB ({r.PeakRssMiB:F0}) | {r.LoadTime.TotalSeconds:F1} s | {r.LoadAverage} | {(met ? "yes" : "no")}{(r.Error is null ? "" : $" ({r.Error})")} |");
            }

            text.AppendLine();
            text.AppendLine("Goal: 1,000 evaluations/s sustained, p99 lateness under 250 ms, RSS under 300 MB. CPU is % of one core (200 % = both).");
            return text.ToString();
        }

        /// <summary>Replaces the generated block (or adds the section at the end) and leaves the rest of the file alone.</summary>
        public static string UpdateDoc(string? existing, string table)
        {
            var block = $"{Begin}\n{table.TrimEnd()}\n{End}";
            var text = existing ?? "# Performance\n";
            var begin = text.IndexOf(Begin, StringComparison.Ordinal);
            var end = text.IndexOf(End, StringComparison.Ordinal);
            if (begin >= 0 && end > begin) return text[..begin] + block + text[(end + End.Length)..];
            return text.TrimEnd() + $"\n\n{Heading}\n\n{block}\n";
        }
    }
}
