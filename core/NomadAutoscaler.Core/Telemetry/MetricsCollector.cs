using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Core.Telemetry;

/// <summary>The agent's in-memory metrics sink: a <see cref="MeterListener"/> over the <c>nomad-autoscaler</c> meters
/// that aggregates every measurement, and renders the aggregates as go-metrics' in-memory JSON dump or as Prometheus
/// text for <c>/v1/metrics</c>.</summary>
/// <remarks>Unlike go-metrics' 10 s intervals, aggregates are cumulative since start: a scrape never sees an empty
/// interval, and Prometheus computes rates itself.</remarks>
internal sealed class MetricsCollector : IDisposable
{
    public const string ServicePrefix = "nomad-autoscaler";

    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _include;
    private readonly TimeProvider _time;
    private readonly string? _host;
    private readonly Lock _lock = new();
    private readonly Dictionary<SeriesKey, Aggregate> _counters = [];
    private readonly Dictionary<SeriesKey, Aggregate> _samples = [];
    private readonly Dictionary<SeriesKey, double> _gauges = [];

    /// <param name="include">Which meters to follow (by default every meter named <c>nomad-autoscaler</c>).</param>
    /// <param name="time">Clock of the JSON dump's timestamp.</param>
    /// <param name="hostname">Inserted after the prefix in gauge names, as go-metrics does; null when
    /// <c>telemetry.disable_hostname</c> is set.</param>
    public MetricsCollector(Func<Meter, bool>? include = null, TimeProvider? time = null, string? hostname = null)
    {
        _include = include ?? (m => m.Name == ServicePrefix);
        _time = time ?? TimeProvider.System;
        _host = string.IsNullOrEmpty(hostname) ? null : hostname;
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
    public MetricsSnapshot Snapshot()
    {
        // Observable gauges report only when asked; their callbacks land in Record before the copy below.
        _listener.RecordObservableInstruments();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return new MetricsSnapshot(
                now,
                [.. _gauges.Select(g => new GaugeSeries(GaugeName(g.Key.Name), g.Key.Labels, g.Value)).OrderBy(g => g.Name, StringComparer.Ordinal)],
                [.. _counters.Select(c => c.Value.ToSeries(Prefixed(c.Key.Name), c.Key.Labels, now)).OrderBy(c => c.Name, StringComparer.Ordinal)],
                [.. _samples.Select(s => s.Value.ToSeries(Prefixed(s.Key.Name), s.Key.Labels, now)).OrderBy(s => s.Name, StringComparer.Ordinal)]);
        }
    }

    /// <summary>go-metrics' in-memory sink dump (the body of <c>GET /v1/metrics</c>).</summary>
    public JsonObject RenderJson()
    {
        var snapshot = Snapshot();
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
        var snapshot = Snapshot();
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

    private string GaugeName(string name) => _host is null ? Prefixed(name) : ServicePrefix + "." + _host + "." + name;

    private static Kind KindOf(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<double> or Counter<int> or UpDownCounter<long> or UpDownCounter<double> => Kind.Counter,
        Histogram<double> or Histogram<long> or Histogram<int> => Kind.Sample,
        _ => Kind.Gauge,
    };

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var tag in tags) labels.Add(KeyValuePair.Create(tag.Key, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var key = new SeriesKey(instrument.Name, labels);
        lock (_lock)
        {
            switch (KindOf(instrument))
            {
                case Kind.Counter:
                    Add(_counters, key, value);
                    break;
                case Kind.Sample:
                    Add(_samples, key, value);
                    break;
                default:
                    _gauges[key] = value;
                    break;
            }
        }
    }

    private void Add(Dictionary<SeriesKey, Aggregate> series, SeriesKey key, double value)
    {
        if (!series.TryGetValue(key, out var aggregate))
        {
            aggregate = new Aggregate(_time.GetUtcNow());
            series[key] = aggregate;
        }

        aggregate.Add(value);
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

        public void Add(double value)
        {
            _count++;
            _sum += value;
            _sumSquares += value * value;
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }

        public AggregateSeries ToSeries(string name, IReadOnlyList<KeyValuePair<string, string>> labels, DateTimeOffset now)
        {
            var seconds = Math.Max(1, (now - since).TotalSeconds);
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

/// <summary>A counter's or timer's aggregate since the agent started.</summary>
/// <param name="Rate">Sum per second since the first measurement (go-metrics divides by its 10 s interval instead).</param>
internal sealed record AggregateSeries(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, long Count, double Sum, double Min, double Max, double Mean, double Stddev, double Rate);
