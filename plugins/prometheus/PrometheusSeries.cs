using System.Text;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Prometheus;

/// <summary>One time series of a query result: its labels and its float samples, oldest first.</summary>
internal sealed record PrometheusSeries(IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<MetricPoint> Points)
{
    /// <summary>PromQL-style selector text, e.g. <c>up{instance="a:9100", job="node"}</c>; <c>{}</c> for no labels.</summary>
    public string Describe()
    {
        var name = Labels.FirstOrDefault(l => l.Key == "__name__").Value;
        var sb = new StringBuilder(name ?? "");
        sb.Append('{');
        var first = true;
        foreach (var (key, value) in Labels)
        {
            if (key == "__name__") continue;
            if (!first) sb.Append(", ");
            first = false;
            sb.Append(key).Append("=\"").Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        return sb.Append('}').ToString();
    }
}
