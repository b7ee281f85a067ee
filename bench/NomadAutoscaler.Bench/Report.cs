using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Bench;

/// <summary>Renders the run as markdown: the table, the plugin-only start-up breakdown, and the issue's goals checked
/// against the Go host + Go plugin row of the same run.</summary>
internal sealed class Report
{
    public required BenchSettings Settings { get; init; }

    public required IReadOnlyList<RowResult> Rows { get; init; }

    /// <summary>Exec to handshake line per plugin executable (label, samples).</summary>
    public required IReadOnlyList<(string Label, List<double> Samples)> Handshakes { get; init; }

    public required RowResult? GoReference { get; init; }

    /// <summary>The flavours we ship or run out of process, checked against the goals.</summary>
    public required IReadOnlyList<RowResult> Checked { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Duration { get; init; }

    public required string LoadBefore { get; init; }

    public required string LoadAfter { get; init; }

    public required string? GoVersions { get; init; }

    public required string? GoProblem { get; init; }

    public string ToMarkdown()
    {
        var s = Settings;
        var md = new StringBuilder();
        md.AppendLine(Inv($"### Results of {StartedAt:yyyy-MM-dd HH:mm} UTC{(s.Quick ? " (quick run)" : "")}"));
        md.AppendLine();
        md.AppendLine(Inv($"- Machine: {MachineInfo.Describe()}."));
        md.AppendLine(Inv($"- Load average (1/5/15 min) at start {LoadBefore}, at end {LoadAfter}; measuring took {Duration.TotalMinutes:F1} min."));
        if (GoVersions is not null) md.AppendLine(Inv($"- Go side: {GoVersions.Replace("\n", "; ", StringComparison.Ordinal)}."));
        if (GoProblem is not null) md.AppendLine(Inv($"- Go rows missing: {GoProblem}."));
        md.AppendLine(Inv($"- Start-up: median of {s.Startups} launches per row (min–max), rows interleaved, after one unrecorded warm-up round. ")
            + "Both hosts: process start to the first successful RPC (PluginInfo), through the launcher the agent uses (ours starts "
            + "plugins through `setpriv --pdeathsig KILL`) and go-plugin's `Client.Start` (`startup_ms`); in-process: load and configure.");
        md.AppendLine(Inv($"- Latency: {s.Calls:N0} sequential APM `Query` calls after a warm-up ({s.Warmup} calls for our host, 50 for the Go host); ")
            + Inv($"throughput: {s.Calls:N0} calls from {s.Concurrency} concurrent callers; RSS: the plugin process's VmRSS after both phases (peak VmHWM)."));
        md.AppendLine();
        md.AppendLine(Inv($"| host → plugin | start-up, median (min–max) | Query p50 | Query p99 | calls/s, {s.Concurrency} callers | plugin RSS (peak) |"));
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            var startup = r.StartupMs.Count == 0 ? "—"
                : Inv($"{Stats.Median(r.StartupMs):F1} ms ({r.StartupMs.Min():F0}–{r.StartupMs.Max():F0})");
            var rss = r.RssKiB is { } kib ? Inv($"{kib / 1024.0:F1} MiB ({r.PeakRssKiB / 1024.0:F1})") : r.Row.InProcess ? "— (inside the agent)" : "—";
            md.AppendLine(Inv($"| {r.Row.Label} | {startup} | {Us(r.P50Us)} | {Us(r.P99Us)} | {(r.CallsPerSec is { } c ? c.ToString("N0", CultureInfo.InvariantCulture) : "—")} | {rss} |"));
        }

        var configured = Rows.Where(r => r.ConfiguredMs.Count > 0).ToList();
        if (configured.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Our host until `PluginManager.StartAsync` returns, i.e. also SetConfig, the one more RPC an agent makes before "
                + "a plugin is usable (median, min–max): "
                + string.Join("; ", configured.Select(r => Inv($"{r.Row.Label.Replace("our host → ", "", StringComparison.Ordinal)} {Stats.Median(r.ConfiguredMs):F1} ms ({r.ConfiguredMs.Min():F0}–{r.ConfiguredMs.Max():F0})"))) + ".");
        }

        var failures = Rows.Where(r => r.Errors.Count > 0).ToList();
        if (failures.Count > 0)
        {
            md.AppendLine();
            foreach (var r in failures) md.AppendLine(Inv($"- **{r.Row.Label} failed**: {string.Join("; ", r.Errors.Distinct())}"));
        }

        if (Handshakes.Any(h => h.Samples.Count > 0))
        {
            md.AppendLine();
            md.AppendLine(Inv($"Plugin process alone, exec to handshake line on stdout (median of {s.Startups}, min–max): ")
                + string.Join("; ", Handshakes.Where(h => h.Samples.Count > 0)
                    .Select(h => Inv($"{h.Label} {Stats.Median(h.Samples):F1} ms ({h.Samples.Min():F0}–{h.Samples.Max():F0})"))) + ".");
        }

        md.AppendLine();
        md.AppendLine("Goals (issue 2 item 7), against the Go host + Go plugin row of this run:");
        md.AppendLine();
        if (GoReference is null || GoReference.P50Us is null || GoReference.StartupMs.Count == 0 || GoReference.RssKiB is null)
        {
            md.AppendLine("- not evaluated: the Go reference row has no figures (see above).");
        }
        else
        {
            var go = GoReference;
            foreach (var r in Checked)
            {
                var checks = new List<string>();
                if (r.P50Us is { } p50) checks.Add(Verdict("p50 ≤ Go's", p50 <= go.P50Us.Value, Inv($"{p50:F0} µs vs {go.P50Us:F0} µs, {p50 / go.P50Us.Value:F2}×")));
                if (r.StartupMs.Count > 0)
                {
                    var ours = Stats.Median(r.StartupMs);
                    var theirs = Stats.Median(go.StartupMs);
                    checks.Add(Verdict("start-up ≤ 2× Go's", ours <= 2 * theirs, Inv($"{ours:F0} ms vs {theirs:F0} ms, {ours / theirs:F2}×")));
                }

                if (r.RssKiB is { } rss)
                    checks.Add(Verdict("RSS ≤ 2× Go's", rss <= 2 * go.RssKiB.Value, Inv($"{rss / 1024.0:F1} MiB vs {go.RssKiB.Value / 1024.0:F1} MiB, {(double)rss / go.RssKiB.Value:F2}×")));
                md.AppendLine(Inv($"- {r.Row.Label}: {string.Join("; ", checks)}."));
            }
        }

        return md.ToString();
    }

    private static string Verdict(string goal, bool met, string detail) => $"{goal} **{(met ? "met" : "NOT met")}** ({detail})";

    private static string Us(double? value) => value is { } v ? (v < 10 ? Inv($"{v:F1} µs") : Inv($"{v:F0} µs")) : "—";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
