using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.Periodic;

/// <summary>
/// Pass-through for a query that measures demand (such as nomad-apm's <c>desired-nodes_resources</c>), raised ahead of
/// time for load that repeats: the count is the newest metric, or, when larger, the most the same check saw in the
/// <c>lead</c> after this instant one <c>period</c> earlier (the least such peak over the last <c>seasons</c> periods,
/// so a one-off is not repeated until it has recurred). A reactive policy makes the first work of every burst wait a
/// whole server boot; a burst that came at this time last period gets its servers booted before it arrives.
/// </summary>
/// <remarks>
/// The history lives in the plugin's memory, keyed by the check's source, query and name (a cluster query names its
/// pool, so pools do not mix); a restarted plugin learns again. Time is the metric's own timestamp, so the strategy
/// follows the agent's clock, virtual or real.
/// </remarks>
[Plugin("periodic")]
public sealed class PeriodicStrategy(ILogger<PeriodicStrategy> logger) : IStrategyPlugin<PeriodicOptions>
{
    internal const string PeriodKey = "period";
    internal const string LeadKey = "lead";
    internal const string SeasonsKey = "seasons";
    internal const string MaxScaleUpKey = "max_scale_up";
    internal const string MaxScaleDownKey = "max_scale_down";

    internal static readonly TimeSpan DefaultLead = TimeSpan.FromMinutes(3);
    internal const int MaxSeasons = 14;

    /// <summary>Bounds one check's memory whatever its interval: a 1 s interval over 14 days of period still fits.</summary>
    internal const int MaxSamplesPerCheck = 1 << 20;

    private readonly ConcurrentDictionary<string, History> _histories = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask ConfigureAsync(PeriodicOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => ValueTask.FromResult(Run(request));

    internal ScalingAction Run(StrategyRequest request)
    {
        var settings = Settings.Parse(request.Check.Strategy.Config);
        if (request.Metrics.Count == 0) return ScalingAction.NoChange();

        var metric = request.Metrics[^1];
        var history = _histories.GetOrAdd($"{request.Check.Source}\n{request.Check.Query}\n{request.Check.Name}", static _ => new History());
        var seen = history.RecordAndRecall(metric, settings);

        var count = request.CurrentCount;
        var wanted = seen is { } peak && peak > metric.Value ? peak : metric.Value;
        var fromHistory = seen is { } p && p > metric.Value;

        ScalingDirection direction;
        if (wanted > count) direction = ScalingDirection.Up;
        else if (wanted < count) direction = ScalingDirection.Down;
        else direction = ScalingDirection.None;

        logger.Hclog(LogLevel.Trace, "calculated scaling strategy results",
            ("check_name", request.Check.Name), ("current_count", count), ("metric_value", metric.Value),
            ("metric_time", metric.Timestamp), ("period_peak", seen?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            ("period", GoDuration.Format(settings.Period)), ("lead", GoDuration.Format(settings.Lead)), ("seasons", settings.Seasons),
            ("direction", Word(direction)));

        if (direction == ScalingDirection.None) return ScalingAction.NoChange();

        var wantedCount = GoValues.TruncateToInt64(wanted);
        var newCount = wantedCount;
        if (direction == ScalingDirection.Up && settings.MaxScaleUp is { } up && newCount > count + up) newCount = count + up;
        if (direction == ScalingDirection.Down && settings.MaxScaleDown is { } down && newCount < count - down) newCount = count - down;

        var word = Word(direction);
        var reason = fromHistory
            ? string.Create(CultureInfo.InvariantCulture,
                $"scaling {word} because {GoDuration.Format(settings.Period)} ago the metric reached {wantedCount} within the next {GoDuration.Format(settings.Lead)} (now {GoValues.TruncateToInt64(metric.Value)})")
            : string.Create(CultureInfo.InvariantCulture, $"scaling {word} because metric is {wantedCount}");
        return new ScalingAction(newCount, direction, reason);
    }

    private static string Word(ScalingDirection direction) => direction switch
    {
        ScalingDirection.Up => "up",
        ScalingDirection.Down => "down",
        _ => "none",
    };

    /// <summary>The per-check configuration; every key is checked on every run, so a typo is an error at once rather
    /// than when history first matters.</summary>
    internal readonly record struct Settings(TimeSpan Period, TimeSpan Lead, int Seasons, long? MaxScaleUp, long? MaxScaleDown)
    {
        public static Settings Parse(PluginSettings config)
        {
            var period = config.GetDuration(PeriodKey) ?? throw new PluginConfigException(PeriodKey, "is required (the time after which the load repeats, for example 1h or 24h)");
            if (period <= TimeSpan.Zero) throw new PluginConfigException(PeriodKey, "must be positive");
            var lead = config.GetDuration(LeadKey, DefaultLead)!.Value;
            if (lead < TimeSpan.Zero || lead >= period)
                throw new PluginConfigException(LeadKey, $"must be at least 0s and less than the period ({GoDuration.Format(period)})");
            var seasons = config.GetInt64(SeasonsKey, 1)!.Value;
            if (seasons is < 1 or > MaxSeasons)
                throw new PluginConfigException(SeasonsKey, $"must be between 1 and {MaxSeasons}");
            var maxUp = ScaleLimit(config, MaxScaleUpKey);
            var maxDown = ScaleLimit(config, MaxScaleDownKey);
            return new Settings(period, lead, (int)seasons, maxUp, maxDown);
        }

        // As pass-through reads them: Go's base-10 integer syntax, upstream's error text.
        private static long? ScaleLimit(PluginSettings config, string key)
        {
            var text = config.GetValueOrDefault(key, string.Empty);
            if (text.Length == 0) return null;
            return GoValues.TryParseInt64(text, out var limit) ? limit : throw new PluginConfigException($"invalid value for `{key}`: {text} (string)");
        }
    }

    /// <summary>One check's samples in time order.</summary>
    private sealed class History
    {
        private readonly List<MetricPoint> _samples = [];
        private readonly Lock _lock = new();

        /// <summary>Adds <paramref name="metric"/> and returns the learnt peak for its instant: for each of the last
        /// <c>seasons</c> periods, the largest sample in [t − k·period, t − k·period + lead]; the least of those.
        /// Null while any of those windows has no sample (not enough history yet).</summary>
        public double? RecordAndRecall(MetricPoint metric, Settings settings)
        {
            lock (_lock)
            {
                Record(metric, settings);
                double? least = null;
                for (var k = 1; k <= settings.Seasons; k++)
                {
                    var from = metric.Timestamp - settings.Period * k;
                    var peak = PeakIn(from, from + settings.Lead);
                    if (peak is null) return null;
                    least = least is { } l ? Math.Min(l, peak.Value) : peak;
                }

                return least;
            }
        }

        private void Record(MetricPoint metric, Settings settings)
        {
            // A sample at or before the newest is a repeated or reordered evaluation: keep the newest's value only.
            if (_samples.Count > 0 && metric.Timestamp <= _samples[^1].Timestamp)
            {
                if (metric.Timestamp == _samples[^1].Timestamp) _samples[^1] = metric;
                return;
            }

            if (!double.IsFinite(metric.Value)) return;
            _samples.Add(metric);

            var keepFrom = metric.Timestamp - settings.Period * settings.Seasons - TimeSpan.FromMinutes(1);
            var stale = 0;
            while (stale < _samples.Count && _samples[stale].Timestamp < keepFrom) stale++;
            if (_samples.Count - stale > MaxSamplesPerCheck) stale = _samples.Count - MaxSamplesPerCheck;
            if (stale > 0) _samples.RemoveRange(0, stale);
        }

        private double? PeakIn(DateTimeOffset from, DateTimeOffset to)
        {
            var i = LowerBound(from);
            double? peak = null;
            for (; i < _samples.Count && _samples[i].Timestamp <= to; i++)
                peak = peak is { } p ? Math.Max(p, _samples[i].Value) : _samples[i].Value;
            return peak;
        }

        private int LowerBound(DateTimeOffset from)
        {
            int lo = 0, hi = _samples.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_samples[mid].Timestamp < from) lo = mid + 1;
                else hi = mid;
            }

            return lo;
        }
    }
}
