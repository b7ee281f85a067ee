using System.Diagnostics.Metrics;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>The plugin's own instruments (meter <see cref="MeterName"/>).</summary>
internal static class OsNovaMetrics
{
    public const string MeterName = "NomadAutoscaler.Plugins.OsNova";

    private static readonly Meter Meter = new(MeterName);

    /// <summary><c>os_nova.scale_out.fallback_count</c>: servers created with a later flavor or zone than preferred
    /// because Nova had no room (tags <c>pool_name</c>, <c>reason</c> = quota | no_valid_host, <c>flavor</c>, <c>zone</c>).</summary>
    public static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>("os_nova.scale_out.fallback_count",
        description: "Server creates retried with a later flavor or zone because Nova had no room");
}
