using System.Diagnostics;
using System.Diagnostics.Metrics;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Http;
using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Core.Telemetry;

/// <summary>Metrics that explain decisions: per policy the current, desired, min and max count, evaluations by outcome,
/// check errors by check and APM, and the time from a scale decision until the target reports the new count. Every
/// series carries <c>policy_id</c> and <c>target_name</c>, and for cluster policies <c>pool</c>.</summary>
internal sealed class DecisionMetrics
{
    private static readonly string[] PoolKeys = ["node_pool", "node_class", "datacenter"];

    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _checkErrors;
    private readonly Histogram<double> _verify;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PolicyCounts> _counts = new(StringComparer.Ordinal);

    public DecisionMetrics(Meter meter)
    {
        _outcomes = meter.CreateCounter<long>("policy.evaluation.outcome_count", description: "Evaluations by outcome");
        _checkErrors = meter.CreateCounter<long>("policy.check.error_count", description: "Failed checks by check and APM");
        _verify = meter.CreateHistogram<double>("scale.verify_ms", "ms", "Time from a scale decision until the target reports the new count");
        meter.CreateObservableGauge("policy.count.current", () => Observe(c => c.Current));
        meter.CreateObservableGauge("policy.count.desired", () => Observe(c => c.Desired));
        meter.CreateObservableGauge("policy.count.min", () => Observe(c => c.Min));
        meter.CreateObservableGauge("policy.count.max", () => Observe(c => c.Max));
    }

    /// <summary>Records one finished evaluation of <paramref name="policy"/>.</summary>
    public void Record(ScalingPolicy policy, EvaluationRecord record)
    {
        var tags = Tags(policy);
        var outcomeTags = tags;
        outcomeTags.Add("outcome", PolicyStateJson.Outcome(record.Outcome));
        _outcomes.Add(1, outcomeTags);
        foreach (var check in record.Checks.Where(c => c.Error is not null))
        {
            var checkTags = tags;
            checkTags.Add("check", check.Check);
            checkTags.Add("apm", policy.Checks.FirstOrDefault(c => c.Name == check.Check)?.Source ?? "");
            _checkErrors.Add(1, checkTags);
        }

        double? verifiedAfter = null;
        lock (_lock)
        {
            if (!_counts.TryGetValue(policy.Id, out var counts))
            {
                counts = new PolicyCounts();
                _counts[policy.Id] = counts;
            }

            counts.Tags = tags;
            counts.Min = policy.Min;
            counts.Max = policy.Max;
            if (record.CurrentCount is { } current)
            {
                counts.Current = current;
                if (counts.PendingSince is { } since && current == counts.PendingCount)
                {
                    verifiedAfter = (record.StartedAt - since).TotalMilliseconds;
                    counts.PendingSince = null;
                }
            }

            counts.Desired = record.Action is { Direction: not NomadAutoscaler.Plugins.Sdk.ScalingDirection.None } action ? action.Count : counts.Current;
            if (record.Outcome == EvaluationOutcome.Scaled && record.Action is { } scaled)
            {
                counts.PendingSince = record.StartedAt;
                counts.PendingCount = scaled.Count;
            }
        }

        if (verifiedAfter is { } ms) _verify.Record(ms, tags);
    }

    /// <summary>Drops a removed policy's gauges.</summary>
    public void Forget(string policyId)
    {
        lock (_lock) _counts.Remove(policyId);
    }

    /// <summary>The target's node pool for cluster policies (<c>node_pool</c>, else <c>node_class</c>, else
    /// <c>datacenter</c>); null for task groups.</summary>
    internal static string? Pool(ScalingPolicy policy)
        => policy.Type == PolicyTypes.Cluster || NomadApmQueries.IsNodePoolTarget(policy.Target.Config)
            ? PoolKeys.Select(k => policy.Target.Config.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrEmpty(v))
            : null;

    private static TagList Tags(ScalingPolicy policy)
    {
        var tags = new TagList { { "policy_id", policy.Id }, { "target_name", policy.Target.Name } };
        if (Pool(policy) is { } pool) tags.Add("pool", pool);
        return tags;
    }

    private List<Measurement<long>> Observe(Func<PolicyCounts, long?> value)
    {
        lock (_lock)
        {
            return [.. _counts.Values.Where(c => value(c) is not null).Select(c => new Measurement<long>(value(c)!.Value, c.Tags))];
        }
    }

    private sealed class PolicyCounts
    {
        public TagList Tags { get; set; }

        public long? Current { get; set; }

        public long? Desired { get; set; }

        public long? Min { get; set; }

        public long? Max { get; set; }

        public DateTimeOffset? PendingSince { get; set; }

        public long PendingCount { get; set; }
    }
}
