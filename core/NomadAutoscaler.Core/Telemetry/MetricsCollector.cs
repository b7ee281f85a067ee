using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Core.Telemetry;

/// <summary>The agent's in-memory metrics sink: a <see cref="MeterListener"/> over the <c>nomad-autoscaler</c> meters
/// that aggregates every measurement, and renders the aggregates as go-metrics' in-memory JSON dump or as Prometheus
/// text for <c>/v1/metrics</c>.</summary>
/// <remarks>The JSON dump keeps go-metrics' in-memory sink semantics: counters and timers per 10 s interval, showing the
/// newest finished one, <c>Rate</c> per second of it. Prometheus gets cumulative values, which its own
/// <c>rate()</c> expects. Every counter and timer is also forwarded to the statsd-style sinks as it happens, and gauges
/// every collection interval (<see cref="EmitGauges"/>).</remarks>
internal sealed class MetricsCollector : IDisposable
{
    public const string ServicePrefix = "nomad-autoscaler";

    /// <summary>go-metrics' in-memory sink interval and retention (upstream's agent uses 10 s and 1 min).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(1);

    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _include;
    private readonly TimeProvider _time;
    private readonly string? _host;
    private readonly Lock _lock = new();
    private readonly Dictionary<SeriesKey, Aggregate> _counters = [];
    private readonly Dictionary<SeriesKey, Aggregate> _samples = [];
    private readonly Dictionary<SeriesKey, double> _gauges = [];
    private readonly Dictionary<SeriesKey, DateTimeOffset> _gaugeUpdated = [];
    private readonly Dictionary<SeriesKey, double> _observed = [];
    private readonly SortedDictionary<long, IntervalMetrics> _intervals = [];
    private readonly Lock _observeLock = new();
    private readonly IReadOnlyList<IMetricSink> _sinks;
    private readonly bool _hostnameLabel;
    private readonly TimeSpan _prometheusRetention;

    /// <param name="include">Which meters to follow (by default every meter named <c>nomad-autoscaler</c>).</param>
    /// <param name="time">Clock of the JSON dump's timestamp.</param>
    /// <param name="hostname">Inserted after the prefix in gauge names, as go-metrics does; null when
    /// <c>telemetry.disable_hostname</c> is set.</param>
    /// <param name="sinks">The statsd, statsite and DogStatsD sinks that get every measurement.</param>
    /// <param name="hostnameLabel"><c>telemetry.enable_hostname_label</c>: the host name is a <c>host</c> label on every
    /// series instead of a part of gauge names.</param>
    /// <param name="prometheusRetention"><c>telemetry.prometheus_retention_time</c>: a series not updated for this long
    /// is left out of the Prometheus text, as go-metrics' Prometheus sink expires it; zero keeps every series.</param>
    public MetricsCollector(Func<Meter, bool>? include = null, TimeProvider? time = null, string? hostname = null,
        IReadOnlyList<IMetricSink>? sinks = null, bool hostnameLabel = false, TimeSpan prometheusRetention = default)
    {
        _prometheusRetention = prometheusRetention;
        _include = include ?? (m => m.Name == ServicePrefix);
        _time = time ?? TimeProvider.System;
        _host = string.IsNullOrEmpty(hostname) ? null : hostname;
        _sinks = sinks ?? [];
        _hostnameLabel = hostnameLabel && _host is not null;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_include(instrument.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private enum Kind
    {
        Counter,
        Sample,
        Gauge,
    }

    /// <summary>One immutable view of every series, names already prefixed (and host-qualified for gauges).</summary>
    public MetricsSnapshot Snapshot() => Snapshot(DateTimeOffset.MinValue);

    /// <summary>Every series updated at or after <paramref name="updatedSince"/> (observable gauges are always current).</summary>
    private MetricsSnapshot Snapshot(DateTimeOffset updatedSince)
    {
        Observe();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return new MetricsSnapshot(
                now,
                Gauges(updatedSince),
                [.. _counters.Where(c => c.Value.LastUpdate >= updatedSince)
                    .Select(c => c.Value.ToSeries(Prefixed(c.Key.Name), c.Key.Labels, now)).OrderBy(c => c.Name, StringComparer.Ordinal)],
                [.. _samples.Where(s => s.Value.LastUpdate >= updatedSince)
                    .Select(s => s.Value.ToSeries(Prefixed(s.Key.Name), s.Key.Labels, now)).OrderBy(s => s.Name, StringComparer.Ordinal)]);
        }
    }

    /// <summary>As go-metrics' in-memory sink shows it: the newest finished interval (or the current one when it is the
    /// only one), with <c>Rate</c> per second of the interval; gauges at their latest value.</summary>
    public MetricsSnapshot IntervalSnapshot()
    {
        Observe();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var current = CurrentInterval(now);
            var shown = _intervals.Count > 1 ? _intervals.Values.ElementAt(_intervals.Count - 2) : current;
            return new MetricsSnapshot(
                shown.Start,
                Gauges(),
                [.. shown.Counters.Select(c => c.Value.ToIntervalSeries(Prefixed(c.Key.Name), c.Key.Labels)).OrderBy(c => c.Name, StringComparer.Ordinal)],
                [.. shown.Samples.Select(s => s.Value.ToIntervalSeries(Prefixed(s.Key.Name), s.Key.Labels)).OrderBy(s => s.Name, StringComparer.Ordinal)]);
        }
    }

    /// <summary>Sends every gauge's current value to the sinks; the agent calls this every
    /// <c>telemetry.collection_interval</c>, as go-metrics' runtime collector runs.</summary>
    public void EmitGauges()
    {
        if (_sinks.Count == 0) return;
        Observe();
        List<(SeriesKey Key, double Value)> gauges;
        lock (_lock) gauges = [.. _gauges.Concat(_observed).Select(g => (g.Key, g.Value))];
        foreach (var (key, value) in gauges)
        {
            var parts = GaugeKey(key.Name);
            foreach (var sink in _sinks) sink.SetGauge(parts, (float)value, key.Labels);
        }
    }

    /// <summary>go-metrics' in-memory sink dump (the body of <c>GET /v1/metrics</c>).</summary>
    public JsonObject RenderJson()
    {
        var snapshot = IntervalSnapshot();
        return new JsonObject
        {
            ["Timestamp"] = snapshot.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC",
            ["Gauges"] = new JsonArray([.. snapshot.Gauges.Select(g => (JsonNode)new JsonObject
            {
                ["Name"] = g.Name,
                ["Value"] = g.Value,
                ["Labels"] = Labels(g.Labels),
            })]),
            ["Points"] = new JsonArray(),
            ["Counters"] = new JsonArray([.. snapshot.Counters.Select(SeriesJson)]),
            ["Samples"] = new JsonArray([.. snapshot.Samples.Select(SeriesJson)]),
        };
    }

    /// <summary>Prometheus text exposition (0.0.4): names flattened with <c>_</c> as go-metrics' Prometheus sink does;
    /// counters as counters, timers as summaries (sum and count), gauges as gauges.</summary>
    public string RenderPrometheus()
    {
        var snapshot = Snapshot(_prometheusRetention > TimeSpan.Zero ? _time.GetUtcNow() - _prometheusRetention : DateTimeOffset.MinValue);
        var sb = new StringBuilder();
        foreach (var group in snapshot.Gauges.GroupBy(g => PromName(g.Name)))
        {
            Header(sb, group.Key, "gauge");
            foreach (var g in group) Line(sb, group.Key, g.Labels, g.Value);
        }

        foreach (var group in snapshot.Counters.GroupBy(c => PromName(c.Name)))
        {
            Header(sb, group.Key, "counter");
            foreach (var c in group) Line(sb, group.Key, c.Labels, c.Sum);
        }

        foreach (var group in snapshot.Samples.GroupBy(s => PromName(s.Name)))
        {
            Header(sb, group.Key, "summary");
            foreach (var s in group)
            {
                Line(sb, group.Key + "_sum", s.Labels, s.Sum);
                Line(sb, group.Key + "_count", s.Labels, s.Count);
            }
        }

        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Observable gauges report only when asked. Their old values are dropped first, so the series of a
    /// removed policy disappear instead of freezing at their last value.</summary>
    private void Observe()
    {
        lock (_observeLock)
        {
            lock (_lock) _observed.Clear();
            _listener.RecordObservableInstruments();
        }
    }

    private List<GaugeSeries> Gauges(DateTimeOffset updatedSince = default)
        => [.. _gauges.Where(g => _gaugeUpdated[g.Key] >= updatedSince).Concat(_observed).Select(g => new GaugeSeries(GaugeName(g.Key.Name), g.Key.Labels, g.Value)).OrderBy(g => g.Name, StringComparer.Ordinal)];

    private IntervalMetrics CurrentInterval(DateTimeOffset now)
    {
        var start = now.UtcTicks - (now.UtcTicks % Interval.Ticks);
        if (!_intervals.TryGetValue(start, out var interval))
        {
            interval = new IntervalMetrics(new DateTimeOffset(start, TimeSpan.Zero));
            _intervals[start] = interval;
        }

        var oldest = now.UtcTicks - Retention.Ticks;
        foreach (var stale in _intervals.Keys.Where(k => k < oldest).ToList()) _intervals.Remove(stale);
        return interval;
    }

    private static JsonObject Labels(IReadOnlyList<KeyValuePair<string, string>> labels)
        => new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    private static JsonNode SeriesJson(AggregateSeries s) => new JsonObject
    {
        ["Name"] = s.Name,
        ["Count"] = s.Count,
        ["Rate"] = s.Rate,
        ["Sum"] = s.Sum,
        ["Min"] = s.Min,
        ["Max"] = s.Max,
        ["Mean"] = s.Mean,
        ["Stddev"] = s.Stddev,
        ["Labels"] = Labels(s.Labels),
    };

    private static void Header(StringBuilder sb, string name, string type)
        => sb.Append("# HELP ").Append(name).Append(' ').Append(name).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder sb, string name, IReadOnlyList<KeyValuePair<string, string>> labels, double value)
    {
        sb.Append(name);
        if (labels.Count > 0) sb.Append('{').AppendJoin(',', labels.Select(l => $"{PromName(l.Key)}=\"{Escape(l.Value)}\"")).Append('}');
        sb.Append(' ').Append(PromValue(value)).Append('\n');
    }

    private static string PromValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    internal static string PromName(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':')) chars[i] = '_';
        }

        return new string(chars);
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Prefixed(string name) => ServicePrefix + "." + name;

    private string GaugeName(string name) => string.Join('.', GaugeKey(name));

    private string[] GaugeKey(string name) => _host is null || _hostnameLabel ? [ServicePrefix, name] : [ServicePrefix, _host, name];

    private static Kind KindOf(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<double> or Counter<int> or UpDownCounter<long> or UpDownCounter<double> => Kind.Counter,
        Histogram<double> or Histogram<long> or Histogram<int> => Kind.Sample,
        _ => Kind.Gauge,
    };

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<KeyValuePair<string, string>>(tags.Length + 1);
        foreach (var tag in tags) labels.Add(KeyValuePair.Create(tag.Key, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        // Sinks get the labels in the order the instrument gave them, as go-metrics passes them on.
        if (_hostnameLabel) labels.Add(KeyValuePair.Create("host", _host!));
        var sinkLabels = labels.ToArray();
        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var key = new SeriesKey(instrument.Name, labels);
        var kind = KindOf(instrument);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            switch (kind)
            {
                case Kind.Counter:
                    Add(_counters, key, value, now);
                    Add(CurrentInterval(now).Counters, key, value, now);
                    break;
                case Kind.Sample:
                    Add(_samples, key, value, now);
                    Add(CurrentInterval(now).Samples, key, value, now);
                    break;
                default:
                    (instrument.IsObservable ? _observed : _gauges)[key] = value;
                    if (!instrument.IsObservable) _gaugeUpdated[key] = now;
                    break;
            }
        }

        if (_sinks.Count == 0) return;
        switch (kind)
        {
            case Kind.Counter:
                foreach (var sink in _sinks) sink.IncrCounter([ServicePrefix, instrument.Name], (float)value, sinkLabels);
                break;
            case Kind.Sample:
                foreach (var sink in _sinks) sink.AddSample([ServicePrefix, instrument.Name], (float)value, sinkLabels);
                break;
            default:
                if (!instrument.IsObservable)
                {
                    foreach (var sink in _sinks) sink.SetGauge(GaugeKey(instrument.Name), (float)value, sinkLabels);
                }

                break;
        }
    }

    private static void Add(Dictionary<SeriesKey, Aggregate> series, SeriesKey key, double value, DateTimeOffset now)
    {
        if (!series.TryGetValue(key, out var aggregate))
        {
            aggregate = new Aggregate(now);
            series[key] = aggregate;
        }

        aggregate.Add(value, now);
    }

    /// <summary>One go-metrics interval's counters and timers.</summary>
    private sealed class IntervalMetrics(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public Dictionary<SeriesKey, Aggregate> Counters { get; } = [];

        public Dictionary<SeriesKey, Aggregate> Samples { get; } = [];
    }

    /// <summary>A series' identity: instrument name and sorted labels.</summary>
    private sealed class SeriesKey(string name, List<KeyValuePair<string, string>> labels) : IEquatable<SeriesKey>
    {
        public string Name { get; } = name;

        public IReadOnlyList<KeyValuePair<string, string>> Labels { get; } = labels;

        public bool Equals(SeriesKey? other)
            => other is not null && other.Name == Name && other.Labels.SequenceEqual(Labels);

        public override bool Equals(object? obj) => Equals(obj as SeriesKey);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(Name, StringComparer.Ordinal);
            foreach (var (k, v) in Labels)
            {
                hash.Add(k, StringComparer.Ordinal);
                hash.Add(v, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>go-metrics' AggregateSample: count, sum, min, max and the running sum of squares for the stddev.</summary>
    private sealed class Aggregate(DateTimeOffset since)
    {
        private long _count;
        private double _sum;
        private double _sumSquares;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public DateTimeOffset LastUpdate { get; private set; }

        public void Add(double value, DateTimeOffset now)
        {
            LastUpdate = now;
            _count++;
            _sum += value;
            _sumSquares += value * value;
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }

        public AggregateSeries ToSeries(string name, IReadOnlyList<KeyValuePair<string, string>> labels, DateTimeOffset now)
            => ToSeries(name, labels, Math.Max(1, (now - since).TotalSeconds));

        /// <summary>As go-metrics: the rate is the interval's sum divided by the interval's length in seconds.</summary>
        public AggregateSeries ToIntervalSeries(string name, IReadOnlyList<KeyValuePair<string, string>> labels)
            => ToSeries(name, labels, Interval.TotalSeconds);

        private AggregateSeries ToSeries(string name, IReadOnlyList<KeyValuePair<string, string>> labels, double seconds)
        {
            var mean = _count == 0 ? 0 : _sum / _count;
            var variance = _count < 2 ? 0 : Math.Max(0, (_sumSquares - (_count * mean * mean)) / (_count - 1));
            return new AggregateSeries(name, labels, _count, _sum, _count == 0 ? 0 : _min, _count == 0 ? 0 : _max, mean, Math.Sqrt(variance), _sum / seconds);
        }
    }
}

/// <summary>Every series at one instant.</summary>
internal sealed record MetricsSnapshot(DateTimeOffset Timestamp, IReadOnlyList<GaugeSeries> Gauges, IReadOnlyList<AggregateSeries> Counters, IReadOnlyList<AggregateSeries> Samples);

/// <summary>A gauge's last value.</summary>
internal sealed record GaugeSeries(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value);

/// <summary>A counter's or timer's aggregate since the agent started, or over one go-metrics interval.</summary>
/// <param name="Rate">Sum per second: since the first measurement (cumulative) or of the interval.</param>
internal sealed record AggregateSeries(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, long Count, double Sum, double Min, double Max, double Mean, double Stddev, double Rate);
