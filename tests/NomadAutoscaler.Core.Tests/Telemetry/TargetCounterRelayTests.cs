using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Core.Telemetry;
using NomadAutoscaler.Core.Tests.Evaluation;
using NomadAutoscaler.Core.Tests.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Telemetry;

/// <summary>Counters a target relays through its status meta, read by a real policy handler and observed in the real
/// metrics collector: totals become increments, a lower total is a plugin restart, bad entries and too many entries are
/// logged once and skipped while the evaluation goes on.</summary>
public sealed class TargetCounterRelayTests : IAsyncDisposable
{
    private const string Relayed = "nomad-autoscaler.target.os_nova.scale_out.fallback_count";

    private static readonly string FallbackKey = TargetStatusMeta.CounterKey("os_nova.scale_out.fallback_count",
        ("pool_name", "web"), ("reason", "quota"), ("flavor", "m1.large"), ("zone", "az 1"));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeStrategy _strategy = new() { Answer = r => new ScalingAction(r.CurrentCount, ScalingDirection.None, "") };
    private readonly FakeTarget _target = new() { Count = 2 };
    private readonly CapturingLoggerFactory _logs = new();
    private readonly AutoscalerMetrics _metrics = new();
    private readonly MetricsCollector _collector;
    private readonly PolicyHandler _handler;

    public TargetCounterRelayTests()
    {
        _plugins.Apms["apm"] = new FakeApm();
        _plugins.Strategies["s"] = _strategy;
        _plugins.Targets["os-nova"] = _target;
        _collector = new MetricsCollector(m => m == _metrics.Meter, _time, hostname: null);
        _handler = NewHandler();
    }

    public async ValueTask DisposeAsync()
    {
        await _handler.DisposeAsync();
        _collector.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task The_first_total_is_recorded_whole_then_only_its_growth_and_a_lower_total_is_a_plugin_restart()
    {
        Assert.Equal((0L, 0d), await EvaluateWith("0"));
        Assert.DoesNotContain(_collector.Snapshot().Counters, c => c.Name == Relayed);

        Assert.Equal((1L, 3d), await EvaluateWith("3"));
        Assert.Equal((2L, 5d), await EvaluateWith("5"));
        // No growth, no measurement.
        Assert.Equal((2L, 5d), await EvaluateWith("5"));
        // The plugin restarted and has counted 1 since: that 1 is new.
        Assert.Equal((3L, 6d), await EvaluateWith("1"));
        Assert.Equal((4L, 8d), await EvaluateWith("3"));

        var series = Assert.Single(_collector.Snapshot().Counters, c => c.Name == Relayed);
        Assert.Equal(new Dictionary<string, string>
        {
            ["flavor"] = "m1.large", ["policy_id"] = "p1", ["pool_name"] = "web", ["reason"] = "quota", ["target_name"] = "os-nova", ["zone"] = "az 1",
        }, series.Labels.ToDictionary(l => l.Key, l => l.Value));
        Assert.Contains("nomad_autoscaler_target_os_nova_scale_out_fallback_count{flavor=\"m1.large\",policy_id=\"p1\",pool_name=\"web\",reason=\"quota\","
            + "target_name=\"os-nova\",zone=\"az 1\"} 8\n", _collector.RenderPrometheus(), StringComparison.Ordinal);
        Assert.Empty(Warnings());
    }

    [Fact]
    public async Task A_bad_value_or_key_is_logged_once_and_skipped_while_the_rest_is_relayed()
    {
        var bad = TargetStatusMeta.CounterKey("acme.retry_count");
        var badKey = TargetStatusMeta.CounterPrefix + "not a name";
        _target.Meta[bad] = "-1";
        _target.Meta[badKey] = "4";

        Assert.Equal((1L, 2d), await EvaluateWith("2"));
        _target.Meta[bad] = "many";
        Assert.Equal((2L, 3d), await EvaluateWith("3"));

        Assert.Equal([("ignoring target counter with an invalid key", badKey, null), ("ignoring target counter with an invalid value", bad, "-1")],
            Warnings().Select(w => (w.Message, (string)w["key"]!, (string?)w["value"])).Order());
        Assert.All(Warnings(), w => Assert.Equal(("p1", "os-nova"), ((string)w["policy_id"]!, (string)w["target"]!)));
        Assert.DoesNotContain(_collector.Snapshot().Counters, c => c.Name.StartsWith("nomad-autoscaler.target.acme", StringComparison.Ordinal));

        // A key whose value becomes readable is relayed from then on, its first readable total whole.
        _target.Meta[bad] = "7";
        await EvaluateWith("3");
        Assert.Equal(7d, Assert.Single(_collector.Snapshot().Counters, c => c.Name == "nomad-autoscaler.target.acme.retry_count").Sum);
    }

    [Fact]
    public async Task A_policy_relays_at_most_the_cap_of_series_and_says_so_once()
    {
        var keys = Enumerable.Range(0, TargetCounterRelay.MaxSeriesPerPolicy + 20)
            .Select(i => TargetStatusMeta.CounterKey("acme.retry_count", ("n", i.ToString("D3", CultureInfo.InvariantCulture)))).ToList();
        foreach (var key in keys) _target.Meta[key] = "1";

        Assert.Equal(EvaluationOutcome.NoAction, (await _handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None)).Outcome);
        foreach (var key in keys) _target.Meta[key] = "2";
        await _handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

        var relayed = _collector.Snapshot().Counters.Where(c => c.Name == "nomad-autoscaler.target.acme.retry_count").ToList();
        Assert.Equal(TargetCounterRelay.MaxSeriesPerPolicy, relayed.Count);
        // The first keys in ordinal order are the ones kept, and they keep counting.
        Assert.Equal(Enumerable.Range(0, TargetCounterRelay.MaxSeriesPerPolicy).Select(i => i.ToString("D3", CultureInfo.InvariantCulture)),
            relayed.Select(c => c.Labels.Single(l => l.Key == "n").Value).Order(StringComparer.Ordinal));
        Assert.All(relayed, c => Assert.Equal(2d, c.Sum));
        var warning = Assert.Single(Warnings());
        Assert.Equal("too many target counters, ignoring the rest", warning.Message);
        Assert.Equal(TargetCounterRelay.MaxSeriesPerPolicy, warning["limit"]);
        Assert.Equal(keys[TargetCounterRelay.MaxSeriesPerPolicy], warning["key"]);
    }

    [Fact]
    public async Task Each_policy_keeps_its_own_totals_and_a_removed_policy_starts_over()
    {
        await EvaluateWith("4");
        var other = NewHandler(Policies.Cluster() with { Id = "p2" });
        await other.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        Assert.Equal([("p1", 4d), ("p2", 4d)], ByPolicy());

        _target.Meta[FallbackKey] = "6";
        await other.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        await other.DisposeAsync();
        var again = NewHandler(Policies.Cluster() with { Id = "p2" });
        await again.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        await again.DisposeAsync();

        // p2 grew by 2, then, added again, sees the total of 6 for the first time.
        Assert.Equal([("p1", 4d), ("p2", 12d)], ByPolicy());
    }

    private PolicyHandler NewHandler(ScalingPolicy? policy = null)
        => new(policy ?? Policies.Cluster(), _plugins, new ScalingQueues(new Dictionary<string, int> { ["cluster"] = 1 }, _time), _time, _logs, _metrics);

    private async Task<(long Count, double Sum)> EvaluateWith(string total)
    {
        _target.Meta[FallbackKey] = total;
        var record = await _handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(EvaluationOutcome.NoAction, record.Outcome);
        return _collector.Snapshot().Counters.SingleOrDefault(c => c.Name == Relayed) is { } series ? (series.Count, series.Sum) : (0, 0);
    }

    private List<(string PolicyId, double Sum)> ByPolicy()
        => [.. _collector.Snapshot().Counters.Where(c => c.Name == Relayed)
            .Select(c => (c.Labels.Single(l => l.Key == "policy_id").Value, c.Sum)).Order()];

    private List<CapturingLoggerFactory.LogEntry> Warnings() => [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning)];
}
