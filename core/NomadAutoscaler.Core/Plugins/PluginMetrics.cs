using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Timers of plugin calls, under upstream's names (<c>plugin.apm.query.invoke_ms</c> and so on), recorded in milliseconds on the <c>nomad-autoscaler</c> meter.
/// Exporting is the telemetry component's job.</summary>
internal static class PluginMetrics
{
    public const string MeterName = "nomad-autoscaler";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> ApmQuery = Meter.CreateHistogram<double>("plugin.apm.query.invoke_ms", "ms");
    public static readonly Histogram<double> StrategyRun = Meter.CreateHistogram<double>("plugin.strategy.run.invoke_ms", "ms");
    public static readonly Histogram<double> TargetStatus = Meter.CreateHistogram<double>("plugin.target.status.invoke_ms", "ms");
    public static readonly Histogram<double> TargetScale = Meter.CreateHistogram<double>("plugin.target.scale.invoke_ms", "ms");
    public static readonly Histogram<double> ManagerAccess = Meter.CreateHistogram<double>("plugin.manager.access_ms", "ms");

    /// <summary>Records the time since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>)
    /// with the plugin name and the ambient <see cref="PluginCallContext"/> labels.</summary>
    public static void Record(Histogram<double> histogram, string pluginName, long startTimestamp, bool withTargetName)
    {
        if (!histogram.Enabled) return;
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        var context = PluginCallContext.Current;
        var tags = new TagList { { "plugin_name", pluginName } };
        if (context?.PolicyId is { } policyId) tags.Add("policy_id", policyId);
        if (withTargetName && context?.TargetName is { } targetName) tags.Add("target_name", targetName);
        histogram.Record(elapsed, tags);
    }
}
