using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>The plugin's own instruments (meter <see cref="MeterName"/>).</summary>
internal static class OsNovaMetrics
{
    public const string MeterName = "NomadAutoscaler.Plugins.OsNova";

    /// <summary>The name of <see cref="Fallbacks"/>, also the name it is relayed under (<see cref="FallbackTotals"/>).</summary>
    public const string FallbackCountName = "os_nova.scale_out.fallback_count";

    private static readonly Meter Meter = new(MeterName);

    /// <summary><c>os_nova.scale_out.fallback_count</c>: servers created with a later flavor or zone than preferred
    /// because Nova had no room (tags <c>pool_name</c>, <c>reason</c> = quota | no_valid_host, <c>flavor</c>, <c>zone</c>).</summary>
    public static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>(FallbackCountName,
        description: "Server creates retried with a later flavor or zone because Nova had no room");
}

/// <summary>Counts <see cref="OsNovaMetrics.Fallbacks"/> and keeps each pool's totals since the plugin started, which
/// the pool's status relays to the agent: the plugin's meter never leaves its process, the status does.</summary>
/// <remarks>One per plugin instance, not per configuration: a reload must not restart the totals, or the agent would
/// take the lower total for a restarted plugin and count it again.</remarks>
internal sealed class FallbackTotals
{
    private readonly ConcurrentDictionary<(string Pool, string Reason, string Flavor, string Zone), long> _totals = new();

    /// <summary>One server create retried with <paramref name="flavor"/> in <paramref name="zone"/> ("" for none).</summary>
    public void Add(string pool, string reason, string flavor, string zone)
    {
        OsNovaMetrics.Fallbacks.Add(1, new KeyValuePair<string, object?>("pool_name", pool), new KeyValuePair<string, object?>("reason", reason),
            new KeyValuePair<string, object?>("flavor", flavor), new KeyValuePair<string, object?>("zone", zone));
        _totals.AddOrUpdate((pool, reason, flavor, zone), 1, (_, total) => total + 1);
    }

    /// <summary>Writes <paramref name="pool"/>'s totals (and no other pool's) into its status meta.</summary>
    public void WriteTo(string pool, IDictionary<string, string> meta)
    {
        foreach (var ((p, reason, flavor, zone), total) in _totals)
        {
            if (p != pool) continue;
            TargetStatusMeta.SetCounter(meta, OsNovaMetrics.FallbackCountName, total, ("pool_name", pool), ("reason", reason), ("flavor", flavor), ("zone", zone));
        }
    }
}
