using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Telemetry;
using NomadAutoscaler.Core.Tests.Evaluation;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Http;

/// <summary>The in-memory sink: upstream's names and labels, and both renderings.</summary>
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly AutoscalerMetrics _metrics = new();
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests() => _collector = new MetricsCollector(m => m == _metrics.Meter, _time, hostname: "h");

    private static Dictionary<string, string> Labels(IEnumerable<KeyValuePair<string, string>> labels) => labels.ToDictionary(l => l.Key, l => l.Value);

    [Fact]
    public void Counters_and_timers_aggregate_per_label_set()
    {
        _metrics.InvokeMs.Record(10, new("policy_id", "a"), new("target_name", "t"));
        _metrics.InvokeMs.Record(30, new("policy_id", "a"), new("target_name", "t"));
        _metrics.InvokeMs.Record(5, new("policy_id", "b"), new("target_name", "t"));
        _metrics.InvokeError.Add(1, new("policy_id", "a"), new("target_name", "t"), new("plugin_name", "t"));
        _metrics.InvokeError.Add(2, new("policy_id", "a"), new("target_name", "t"), new("plugin_name", "t"));

        var snapshot = _collector.Snapshot();

        var a = Assert.Single(snapshot.Samples, s => s.Name == "nomad-autoscaler.scale.invoke_ms" && Labels(s.Labels)["policy_id"] == "a");
        Assert.Equal((2, 40d, 10d, 30d, 20d), (a.Count, a.Sum, a.Min, a.Max, a.Mean));
        Assert.Equal(Math.Sqrt(200), a.Stddev, 6);
        Assert.Single(snapshot.Samples, s => s.Name == "nomad-autoscaler.scale.invoke_ms" && Labels(s.Labels)["policy_id"] == "b");
        var errors = Assert.Single(snapshot.Counters, c => c.Name == "nomad-autoscaler.scale.invoke.error_count");
        Assert.Equal((2, 3d), (errors.Count, errors.Sum));
        Assert.Equal(new Dictionary<string, string> { ["plugin_name"] = "t", ["policy_id"] = "a", ["target_name"] = "t" }, Labels(errors.Labels));
    }

    [Fact]
    public void Gauges_get_the_hostname_after_the_prefix_and_counters_do_not()
    {
        _metrics.SourceError.Add(1, new KeyValuePair<string, object?>("policy_source", "file"));
        using var manager = new PolicyManagerScope(_metrics);

        var snapshot = _collector.Snapshot();

        Assert.Contains(snapshot.Gauges, g => g.Name == "nomad-autoscaler.h.policy.total_num");
        Assert.Contains(snapshot.Gauges, g => g.Name == "nomad-autoscaler.h.policy.queue.cluster");
        Assert.Contains(snapshot.Gauges, g => g.Name == "nomad-autoscaler.h.policy.queue.horizontal");
        Assert.Contains(snapshot.Gauges, g => g.Name == "nomad-autoscaler.h.runtime.alloc_bytes" && g.Value > 0);
        var sourceErrors = Assert.Single(snapshot.Counters, c => c.Name == "nomad-autoscaler.policy.source.error_count");
        Assert.Equal("file", Labels(sourceErrors.Labels)["policy_source"]);
    }

    [Fact]
    public void Without_hostname_gauges_are_only_prefixed()
    {
        using var collector = new MetricsCollector(m => m == _metrics.Meter, _time, hostname: null);
        using var manager = new PolicyManagerScope(_metrics);

        Assert.Contains(collector.Snapshot().Gauges, g => g.Name == "nomad-autoscaler.policy.total_num");
    }

    [Fact]
    public async Task An_evaluation_that_scales_records_upstream_series_with_policy_and_target_labels()
    {
        var plugins = new FakePlugins();
        plugins.Apms["apm"] = new FakeApm();
        plugins.Strategies["s"] = new FakeStrategy { Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more") };
        plugins.Targets["os-nova"] = new FakeTarget { Count = 1 };
        await using var handler = new PolicyHandler(Policies.Cluster(), plugins, new ScalingQueues(new Dictionary<string, int> { ["cluster"] = 1 }, _time), _time, NullLoggerFactory.Instance, _metrics);

        await handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        var snapshot = _collector.Snapshot();

        var success = Assert.Single(snapshot.Counters, c => c.Name == "nomad-autoscaler.scale.invoke.success_count");
        Assert.Equal(new Dictionary<string, string> { ["plugin_name"] = "os-nova", ["policy_id"] = "p1", ["target_name"] = "os-nova" }, Labels(success.Labels));
        var evaluate = Assert.Single(snapshot.Samples, s => s.Name == "nomad-autoscaler.scale.evaluate_ms");
        Assert.Equal(new Dictionary<string, string> { ["policy_id"] = "p1", ["target_name"] = "os-nova" }, Labels(evaluate.Labels));
        Assert.Contains(snapshot.Samples, s => s.Name == "nomad-autoscaler.scale.invoke_ms");
    }

    [Fact]
    public void Plugin_call_timers_carry_plugin_and_policy_labels()
    {
        // PluginMetrics is process-wide; this collector follows it by meter name and looks only for its own label.
        using var collector = new MetricsCollector(m => m.Name == MetricsCollector.ServicePrefix, _time);
        using (PluginCallContext.Begin("policy-for-plugin-metrics-test", "os-nova"))
        {
            PluginMetrics.Record(PluginMetrics.TargetScale, "os-nova", System.Diagnostics.Stopwatch.GetTimestamp(), withTargetName: true);
            PluginMetrics.Record(PluginMetrics.ApmQuery, "prometheus", System.Diagnostics.Stopwatch.GetTimestamp(), withTargetName: false);
        }

        var samples = collector.Snapshot().Samples.Where(s => Labels(s.Labels).GetValueOrDefault("policy_id") == "policy-for-plugin-metrics-test").ToList();

        var scale = Assert.Single(samples, s => s.Name == "nomad-autoscaler.plugin.target.scale.invoke_ms");
        Assert.Equal(new Dictionary<string, string> { ["plugin_name"] = "os-nova", ["policy_id"] = "policy-for-plugin-metrics-test", ["target_name"] = "os-nova" }, Labels(scale.Labels));
        var query = Assert.Single(samples, s => s.Name == "nomad-autoscaler.plugin.apm.query.invoke_ms");
        Assert.Equal(new Dictionary<string, string> { ["plugin_name"] = "prometheus", ["policy_id"] = "policy-for-plugin-metrics-test" }, Labels(query.Labels));
    }

    [Fact]
    public void Prometheus_text_flattens_names_and_types_each_family_once()
    {
        _metrics.InvokeSuccess.Add(1, new("policy_id", "a\"b"), new("target_name", "t"), new("plugin_name", "t"));
        _metrics.InvokeSuccess.Add(1, new("policy_id", "c"), new("target_name", "t"), new("plugin_name", "t"));
        _metrics.Lateness.Record(double.NaN);

        var text = _collector.RenderPrometheus();

        Assert.Equal(1, text.Split('\n').Count(l => l == "# TYPE nomad_autoscaler_scale_invoke_success_count counter"));
        Assert.Contains("nomad_autoscaler_scale_invoke_success_count{plugin_name=\"t\",policy_id=\"a\\\"b\",target_name=\"t\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nomad_autoscaler_policy_evaluation_lateness_ms_sum NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("nomad_autoscaler_policy_evaluation_lateness_ms_count 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Prometheus_retention_time_leaves_out_series_not_updated_within_it()
    {
        using var collector = new MetricsCollector(m => m == _metrics.Meter, _time, hostname: null, prometheusRetention: TimeSpan.FromMinutes(1));
        _metrics.InvokeError.Add(2, new KeyValuePair<string, object?>("policy_id", "stale"));
        _metrics.InvokeMs.Record(10, new KeyValuePair<string, object?>("policy_id", "stale"));
        _time.Advance(TimeSpan.FromSeconds(50));
        _metrics.InvokeError.Add(1, new KeyValuePair<string, object?>("policy_id", "fresh"));
        _time.Advance(TimeSpan.FromSeconds(20));

        var text = collector.RenderPrometheus();

        Assert.Contains("nomad_autoscaler_scale_invoke_error_count{policy_id=\"fresh\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("stale", text, StringComparison.Ordinal);
        Assert.Contains(collector.Snapshot().Counters, c => Labels(c.Labels)["policy_id"] == "stale");

        // An update brings the series back with its running total, as a Prometheus counter never goes down.
        _metrics.InvokeError.Add(1, new KeyValuePair<string, object?>("policy_id", "stale"));
        Assert.Contains("nomad_autoscaler_scale_invoke_error_count{policy_id=\"stale\"} 3\n", collector.RenderPrometheus(), StringComparison.Ordinal);
        Assert.Contains("stale", _collector.RenderPrometheus(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_is_the_sum_per_second_since_the_first_measurement()
    {
        _metrics.InvokeError.Add(10, new KeyValuePair<string, object?>("policy_id", "a"));
        _time.Advance(TimeSpan.FromSeconds(5));

        var counter = Assert.Single(_collector.Snapshot().Counters);

        Assert.Equal(2, counter.Rate);
    }

    [Fact]
    public void The_json_dump_shows_the_newest_finished_10s_interval_as_go_metrics_inmem_sink_does()
    {
        _metrics.InvokeError.Add(3, new KeyValuePair<string, object?>("policy_id", "a"));
        _time.Advance(TimeSpan.FromSeconds(4));

        // Only the current interval exists: it is shown, with the rate over the whole 10 s.
        var only = Assert.Single(_collector.IntervalSnapshot().Counters);
        Assert.Equal((1L, 3d, 0.3), (only.Count, only.Sum, only.Rate));

        _time.Advance(TimeSpan.FromSeconds(7));
        _metrics.InvokeError.Add(5, new KeyValuePair<string, object?>("policy_id", "a"));
        var json = _collector.RenderJson();
        Assert.Equal("2026-11-27 12:00:00 +0000 UTC", (string)json["Timestamp"]!);
        Assert.Equal(3d, (double)json["Counters"]![0]!["Sum"]!);

        _time.Advance(TimeSpan.FromSeconds(10));
        var next = Assert.Single(_collector.IntervalSnapshot().Counters);
        Assert.Equal((1L, 5d, 0.5), (next.Count, next.Sum, next.Rate));
        // Prometheus stays cumulative.
        Assert.Contains("nomad_autoscaler_scale_invoke_error_count{policy_id=\"a\"} 8\n", _collector.RenderPrometheus(), StringComparison.Ordinal);

        // After the retention minute without measurements, an empty interval is all there is.
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(_collector.IntervalSnapshot().Counters);
    }

    [Fact]
    public void Observable_gauges_of_a_removed_series_disappear()
    {
        var values = new List<Measurement<long>> { new(1, new KeyValuePair<string, object?>("policy_id", "a")), new(2, new KeyValuePair<string, object?>("policy_id", "b")) };
        _metrics.Gauge("policy.count.current", () => (IEnumerable<Measurement<long>>)[.. values]);
        Assert.Equal(2, _collector.Snapshot().Gauges.Count(g => g.Name == "nomad-autoscaler.h.policy.count.current"));

        values.RemoveAt(0);

        var left = Assert.Single(_collector.Snapshot().Gauges, g => g.Name == "nomad-autoscaler.h.policy.count.current");
        Assert.Equal("b", Labels(left.Labels)["policy_id"]);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _metrics.Dispose();
    }

    /// <summary>A policy manager only for its gauges.</summary>
    private sealed class PolicyManagerScope(AutoscalerMetrics metrics) : IDisposable
    {
        private readonly PolicyManager _manager = new(new FakePlugins(), new Dictionary<string, int>(), TimeProvider.System, NullLoggerFactory.Instance, metrics);

        public void Dispose() => _manager.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
