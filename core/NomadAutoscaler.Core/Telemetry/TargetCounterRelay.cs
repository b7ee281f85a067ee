using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Telemetry;

/// <summary>Counters that target plugins relay through their status meta (<see cref="TargetStatusMeta.CounterPrefix"/>)
/// become agent counters <c>target.&lt;name&gt;</c>, labelled with the plugin's tags plus <c>policy_id</c> and
/// <c>target_name</c>. A plugin's own meter lives in its process and never reaches the agent's sinks; the status
/// does.</summary>
/// <remarks>The plugin reports totals since it started; the agent records what each total grew by since the last status
/// of the same policy. A total lower than the last means the plugin restarted, and the whole new total is recorded.
/// The first total seen for a policy is recorded whole: after an agent restart the agent's own counters start from
/// zero anyway, so its series then start at the plugin's total so far. A policy that is removed and added again, or
/// an HA leader that takes over, counts the total once more on its own series.</remarks>
internal sealed class TargetCounterRelay(Meter meter)
{
    /// <summary>Series (keys, good or bad) relayed per policy: a plugin that invents a new key on every status must
    /// not grow the agent's memory without bound.</summary>
    public const int MaxSeriesPerPolicy = 100;

    /// <summary>What the agent's instrument names start with (after the <c>nomad-autoscaler</c> prefix).</summary>
    public const string NamePrefix = "target.";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Counter<long>> _instruments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PolicySeries> _policies = new(StringComparer.Ordinal);

    /// <summary>Records what the counters in <paramref name="meta"/> grew by since the last status of
    /// <paramref name="policy"/>. Entries it cannot read are logged once per key and skipped.</summary>
    public void Relay(ScalingPolicy policy, IReadOnlyDictionary<string, string> meta, ILogger logger)
    {
        // Ordinal order, so which keys a capped policy keeps does not depend on the dictionary's order.
        var entries = meta.Where(e => e.Key.StartsWith(TargetStatusMeta.CounterPrefix, StringComparison.Ordinal))
            .OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        if (entries.Count == 0) return;
        lock (_lock)
        {
            if (!_policies.TryGetValue(policy.Id, out var state) || state.TargetName != policy.Target.Name)
            {
                // Another target's totals are not comparable with the last ones seen.
                state = new PolicySeries(policy.Target.Name);
                _policies[policy.Id] = state;
            }

            foreach (var (key, value) in entries) RelayOne(policy, state, key, value, logger);
        }
    }

    /// <summary>Drops a removed policy's last totals.</summary>
    public void Forget(string policyId)
    {
        lock (_lock) _policies.Remove(policyId);
    }

    private void RelayOne(ScalingPolicy policy, PolicySeries state, string key, string value, ILogger logger)
    {
        if (!state.Series.TryGetValue(key, out var series))
        {
            if (state.Series.Count >= MaxSeriesPerPolicy)
            {
                if (!state.CapLogged)
                {
                    logger.Hclog(LogLevel.Warning, "too many target counters, ignoring the rest", ("policy_id", policy.Id), ("target", policy.Target.Name),
                        ("limit", MaxSeriesPerPolicy), ("key", key));
                    state.CapLogged = true;
                }

                return;
            }

            series = new Series(TargetStatusMeta.TryParseCounterKey(key, out var name, out var tags) ? Instrument(name) : null, tags);
            state.Series[key] = series;
            if (series.Counter is null)
                logger.Hclog(LogLevel.Warning, "ignoring target counter with an invalid key", ("policy_id", policy.Id), ("target", policy.Target.Name), ("key", key));
        }

        if (series.Counter is null) return;
        if (!TargetStatusMeta.TryParseCounterValue(value, out var total))
        {
            if (!series.Warned)
            {
                logger.Hclog(LogLevel.Warning, "ignoring target counter with an invalid value", ("policy_id", policy.Id), ("target", policy.Target.Name),
                    ("key", key), ("value", value));
                series.Warned = true;
            }

            return;
        }

        var delta = series.Last is { } last && total >= last ? total - last : total;
        series.Last = total;
        if (delta == 0) return;
        var labels = new TagList { { "policy_id", policy.Id }, { "target_name", policy.Target.Name } };
        foreach (var (tag, tagValue) in series.Tags) labels.Add(tag, tagValue);
        series.Counter.Add(delta, labels);
    }

    private Counter<long> Instrument(string name)
    {
        if (!_instruments.TryGetValue(name, out var counter))
        {
            counter = meter.CreateCounter<long>(NamePrefix + name, description: "Relayed from the target plugin's status meta");
            _instruments[name] = counter;
        }

        return counter;
    }

    private sealed class PolicySeries(string targetName)
    {
        public string TargetName { get; } = targetName;

        public Dictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);

        public bool CapLogged { get; set; }
    }

    /// <summary>One key's instrument (null for a key that does not parse, warned about once when first seen), its tags,
    /// the last total seen and whether a bad value was warned about.</summary>
    private sealed class Series(Counter<long>? counter, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        public Counter<long>? Counter { get; } = counter;

        public IReadOnlyList<KeyValuePair<string, string>> Tags { get; } = tags;

        public long? Last { get; set; }

        public bool Warned { get; set; }
    }
}
