using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NomadAutoscaler.Lab;

/// <summary>Renders a <see cref="LabReport"/> as a text table, as JSON for machines, and as a self-contained HTML page.
/// Every number is formatted with the invariant culture and a fixed precision, so the same run gives the same bytes.</summary>
public static class LabReportWriter
{
    public static string Text(LabReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"workload {report.Workload}, {Duration(report.Duration)}, seed {report.Seed}, boot delay {Duration(report.BootDelay)}\n\n");
        text.Append("| policy | type | capacity-hours (bound) | ratio | idle node-hours | wait p50 / p95 / max (s) | unplaced alloc-s | actions | max overshoot |\n");
        text.Append("|---|---|---|---|---|---|---|---|---|\n");
        foreach (var p in report.Policies)
        {
            var used = p.NodeHours ?? p.AllocHours ?? 0;
            var bound = p.BoundNodeHours ?? p.BoundAllocHours ?? 0;
            text.Append(CultureInfo.InvariantCulture,
                $"| {p.Name} | {p.Type} | {used:0.00} ({bound:0.00}) | {Ratio(p.Ratio)} | {(p.IdleNodeHours is { } idle ? idle.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | " +
                $"{p.PendingWaitP50:0} / {p.PendingWaitP95:0} / {p.PendingWaitMax:0} | {p.UnplacedAllocSeconds:0} | {p.ScaleActions} | {p.MaxOvershoot} |\n");
        }

        foreach (var p in report.Policies.Where(p => p.OverloadSeconds is not null))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\n{p.Name}: overload {p.OverloadSeconds:0} s, excess {p.ExcessAllocHours:0.00} allocation-hours against the ideal count\n");
        }

        if (report.EscapedWork > 0)
            text.Append(CultureInfo.InvariantCulture, $"\nwarning: {report.EscapedWork} timers were set off the lab's thread (work escaped to the thread pool); this run may not repeat exactly\n");
        return text.ToString();
    }

    public static string Json(LabReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("workload", report.Workload);
            json.WriteNumber("duration_s", (long)report.Duration.TotalSeconds);
            json.WriteNumber("seed", report.Seed);
            json.WriteNumber("boot_delay_s", (long)report.BootDelay.TotalSeconds);
            json.WriteNumber("overshoot_window_s", (long)LabReport.OvershootWindow.TotalSeconds);
            json.WriteStartArray("policies");
            foreach (var p in report.Policies)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteString("type", p.Type);
                json.WriteNumber("min", p.Min);
                json.WriteNumber("max", p.Max);
                Number(json, "node_hours", p.NodeHours);
                Number(json, "bound_node_hours", p.BoundNodeHours);
                Number(json, "idle_node_hours", p.IdleNodeHours);
                Number(json, "alloc_hours", p.AllocHours);
                Number(json, "bound_alloc_hours", p.BoundAllocHours);
                Number(json, "excess_alloc_hours", p.ExcessAllocHours);
                Number(json, "overload_seconds", p.OverloadSeconds);
                Number(json, "ratio_to_bound", p.Ratio is { } r ? Math.Round(r, 3) : null);
                json.WriteNumber("pending_wait_p50_s", p.PendingWaitP50);
                json.WriteNumber("pending_wait_p95_s", p.PendingWaitP95);
                json.WriteNumber("pending_wait_max_s", p.PendingWaitMax);
                json.WriteNumber("allocations_waited", p.AllocationsWaited);
                json.WriteNumber("unplaced_alloc_seconds", p.UnplacedAllocSeconds);
                json.WriteNumber("scale_actions", p.ScaleActions);
                json.WriteNumber("max_overshoot", p.MaxOvershoot);
                json.WriteStartArray("decisions");
                foreach (var d in p.Decisions)
                {
                    json.WriteStartObject();
                    json.WriteNumber("at_s", Offset(report, d.DecidedAt));
                    json.WriteNumber("done_s", Offset(report, d.FinishedAt));
                    json.WriteNumber("from", d.From);
                    json.WriteNumber("to", d.To);
                    json.WriteNumber("overshoot", d.Overshoot);
                    json.WriteString("reason", d.Reason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    internal static long Offset(LabReport report, DateTimeOffset at) => (long)(at - report.Start).TotalSeconds;

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    internal static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? $"{(long)span.TotalHours}h"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{(long)span.TotalMinutes}m"
        : $"{(long)span.TotalSeconds}s";
}
