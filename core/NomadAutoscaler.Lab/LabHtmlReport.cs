using System.Globalization;
using System.Net;
using System.Text;

namespace NomadAutoscaler.Lab;

/// <summary>A self-contained HTML page (inline CSS and SVG, no script, no network) with, per policy, the figures
/// beside their bounds and a chart of demand, capacity and decisions over time; hovering a decision shows why.</summary>
public static class LabHtmlReport
{
    private const int Width = 960;
    private const int Height = 260;
    private const int Left = 44;
    private const int Bottom = 24;
    private const int Top = 10;

    public static string Render(LabReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Scaling lab: ")
            .Append(E(report.Workload)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}")
            .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
            .Append(".cap{fill:none;stroke:#1f6fd1;stroke-width:2}.ready{fill:none;stroke:#2a9d55;stroke-width:1.5}")
            .Append(".bound{fill:none;stroke:#111;stroke-width:1.5;stroke-dasharray:5 4}.miss{fill:#e4572e;opacity:.35}")
            .Append(".up{fill:#1f6fd1}.down{fill:#9a4dd6}.axis{stroke:#999}.grid{stroke:#eee}text{font-size:11px;fill:#555}")
            .Append(".key span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}")
            .Append("</style></head><body>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<h1>Scaling lab: {E(report.Workload)}</h1>\n<p>{LabReportWriter.Duration(report.Duration)} of virtual time, seed {report.Seed}, boot delay {LabReportWriter.Duration(report.BootDelay)}. ");
        html.Append("The bound is the fewest nodes (or allocations) that hold the demand at each instant, within the policy's min and max, with no wait.</p>\n");
        foreach (var policy in report.Policies) Policy(html, report, policy);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Policy(StringBuilder html, LabReport report, LabPolicyReport p)
    {
        var cluster = p.NodeHours is not null;
        var unit = cluster ? "node" : "allocation";
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(p.Name)} <small>({E(p.Type)}, min {p.Min}, max {p.Max})</small></h2>\n<table>\n");
        html.Append("<tr><th>figure</th><th>this policy</th><th>clairvoyant bound</th><th>ratio</th></tr>\n");
        var used = p.NodeHours ?? p.AllocHours ?? 0;
        var bound = p.BoundNodeHours ?? p.BoundAllocHours ?? 0;
        Row(html, $"{unit}-hours", F(used, "0.00"), F(bound, "0.00"), p.Ratio is { } r ? F(r, "0.00") + "x" : "-");
        if (p.IdleNodeHours is { } idle) Row(html, "idle node-hours", F(idle, "0.00"), "0", "");
        Row(html, "pending wait p50 / p95 / max (s)", $"{F(p.PendingWaitP50, "0")} / {F(p.PendingWaitP95, "0")} / {F(p.PendingWaitMax, "0")}", "0", "");
        Row(html, "allocation-seconds unplaced", F(p.UnplacedAllocSeconds, "0"), "0", "");
        Row(html, "scale actions", p.ScaleActions.ToString(CultureInfo.InvariantCulture), "", "");
        Row(html, $"largest overshoot ({unit}s)", p.MaxOvershoot.ToString(CultureInfo.InvariantCulture), "0", "");
        if (p.OverloadSeconds is { } overload) Row(html, "overload seconds", F(overload, "0"), "0", "");
        if (p.ExcessAllocHours is { } excess) Row(html, "excess allocation-hours", F(excess, "0.00"), "0", "");
        html.Append("</table>\n");
        Chart(html, report, p, cluster);
    }

    private static void Chart(StringBuilder html, LabReport report, LabPolicyReport p, bool cluster)
    {
        var seconds = Math.Max(1, report.Duration.TotalSeconds);
        var yMax = Math.Max(1, p.Timeline.Select(t => Math.Max(Math.Max(t.Capacity, t.Bound), t.Missing)).DefaultIfEmpty(0).Max());
        yMax = Math.Max(yMax, (int)Math.Min(p.Max, yMax + 1));
        double X(DateTimeOffset at) => Left + ((at - report.Start).TotalSeconds / seconds * (Width - Left - 24));
        double Y(double v) => Top + ((1 - (v / yMax)) * (Height - Top - Bottom));

        html.Append(CultureInfo.InvariantCulture, $"<svg width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(p.Name)} over time\">\n");
        var step = Math.Max(1, (int)Math.Ceiling(yMax / 6.0));
        for (var v = 0; v <= yMax; v += step)
        {
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - 24}\" y1=\"{Y(v):0.#}\" y2=\"{Y(v):0.#}\"/><text x=\"{Left - 6}\" y=\"{Y(v) + 4:0.#}\" text-anchor=\"end\">{v}</text>\n");
        }

        var hours = report.Duration.TotalHours;
        var tick = hours <= 2 ? TimeSpan.FromMinutes(15) : hours <= 12 ? TimeSpan.FromHours(1) : TimeSpan.FromHours(3);
        for (var at = TimeSpan.Zero; at <= report.Duration; at += tick)
        {
            var x = X(report.Start + at);
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Height - 6}\" text-anchor=\"middle\">{(int)at.TotalHours:00}:{at.Minutes:00}</text>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - 24}\" y1=\"{Y(0):0.#}\" y2=\"{Y(0):0.#}\"/>\n");
        html.Append("<path class=\"miss\" d=\"").Append(Area(p.Timeline, X, Y)).Append("\"><title>allocations waiting</title></path>\n");
        html.Append("<path class=\"bound\" d=\"").Append(Steps(p.Timeline, t => t.Bound, X, Y)).Append("\"/>\n");
        html.Append("<path class=\"ready\" d=\"").Append(Steps(p.Timeline, t => t.Ready, X, Y)).Append("\"/>\n");
        html.Append("<path class=\"cap\" d=\"").Append(Steps(p.Timeline, t => t.Capacity, X, Y)).Append("\"/>\n");
        foreach (var d in p.Decisions)
        {
            var at = LabReportWriter.Offset(report, d.DecidedAt);
            var title = $"{at / 3600:00}:{at / 60 % 60:00}:{at % 60:00} {d.From} → {d.To}: {d.Reason}" + (d.Overshoot > 0 ? $" (overshoot {d.Overshoot})" : "");
            html.Append(CultureInfo.InvariantCulture,
                $"<circle class=\"{(d.To > d.From ? "up" : "down")}\" cx=\"{X(d.DecidedAt):0.#}\" cy=\"{Y(d.To):0.#}\" r=\"4\"><title>{E(title)}</title></circle>\n");
        }

        html.Append("</svg>\n<p class=\"key\">")
            .Append(Key("#1f6fd1", cluster ? "servers (capacity)" : "group count"))
            .Append(Key("#2a9d55", cluster ? "ready nodes" : "running allocations"))
            .Append(Key("#111", "bound"))
            .Append(Key("#e4572e", "allocations waiting"))
            .Append("<span>● decision (hover for the reason)</span></p>\n");
    }

    private static string Steps(IReadOnlyList<LabPoint> points, Func<LabPoint, int> value, Func<DateTimeOffset, double> x, Func<double, double> y)
    {
        var path = new StringBuilder();
        double? lastY = null;
        foreach (var point in points)
        {
            var px = x(point.At);
            var py = y(value(point));
            if (lastY is null) path.Append(CultureInfo.InvariantCulture, $"M{px:0.#},{py:0.#}");
            else path.Append(CultureInfo.InvariantCulture, $"H{px:0.#}V{py:0.#}");
            lastY = py;
        }

        return path.ToString();
    }

    private static string Area(IReadOnlyList<LabPoint> points, Func<DateTimeOffset, double> x, Func<double, double> y)
    {
        if (points.Count == 0) return "";
        var path = new StringBuilder();
        path.Append(CultureInfo.InvariantCulture, $"M{x(points[0].At):0.#},{y(0):0.#}");
        foreach (var point in points) path.Append(CultureInfo.InvariantCulture, $"L{x(point.At):0.#},{y(point.Missing):0.#}");
        path.Append(CultureInfo.InvariantCulture, $"L{x(points[^1].At):0.#},{y(0):0.#}Z");
        return path.ToString();
    }

    private static void Row(StringBuilder html, string name, string value, string bound, string ratio) =>
        html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(value).Append("</td><td>").Append(bound).Append("</td><td>").Append(ratio).Append("</td></tr>\n");

    private static string Key(string color, string label) => $"<span><i class=\"sw\" style=\"background:{color}\"></i>{E(label)}</span>";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
