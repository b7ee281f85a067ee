using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Core.Telemetry;
using NomadAutoscaler.Core.Tests.Evaluation;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Telemetry;

/// <summary>The metrics that explain decisions, recorded by a real policy handler over fake plugins.</summary>
public sealed class DecisionMetricsTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeApm _apm = new();
    private readonly FakeStrategy _strategy = new();
    private readonly FakeTarget _target = new() { Count = 2 };
    private readonly AutoscalerMetrics _metrics = new();
    private readonly MetricsCollector _collector;
    private readonly PolicyHandler _handler;

    public DecisionMetricsTests()
    {
        _plugins.Apms["apm"] = _apm;
        _plugins.Strategies["s"] = _strategy;
        _plugins.Targets["os-nova"] = _target;
        _collector = new MetricsCollector(m => m == _metrics.Meter, _time, hostname: null);
        _handler = new PolicyHandler(Policies.Cluster(min: 1, max: 7), _plugins, new ScalingQueues(new Dictionary<string, int> { ["cluster"] = 1 }, _time),
            _time, NullLoggerFactory.Instance, _metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _handler.DisposeAsync();
        _collector.Dispose();
        _metrics.Dispose();
    }

    private Task<EvaluationRecord> Evaluate() => _handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

    private static Dictionary<string, string> Labels(IEnumerable<KeyValuePair<string, string>> labels) => labels.ToDictionary(l => l.Key, l => l.Value);

    private double Gauge(string name) => Assert.Single(_collector.Snapshot().Gauges, g => g.Name == "nomad-autoscaler." + name).Value;

    [Fact]
    public async Task Counts_outcomes_and_the_time_until_the_scale_is_verified_are_recorded_with_policy_target_and_pool()
    {
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "cpu high");
        _target.Ready = true;
        Assert.Equal(EvaluationOutcome.Scaled, (await Evaluate()).Outcome);
        Assert.Equal((2d, 5d, 1d, 7d), (Gauge("policy.count.current"), Gauge("policy.count.desired"), Gauge("policy.count.min"), Gauge("policy.count.max")));

        // The target reports the new count 90 s later: that is the decision-to-verified time.
        _time.Advance(TimeSpan.FromSeconds(90));
        _strategy.Answer = r => new ScalingAction(r.CurrentCount, ScalingDirection.None, "");
        Assert.Equal(EvaluationOutcome.NoAction, (await Evaluate()).Outcome);

        var snapshot = _collector.Snapshot();
        var verified = Assert.Single(snapshot.Samples, s => s.Name == "nomad-autoscaler.scale.verify_ms");
        Assert.Equal((1L, 90_000d), (verified.Count, verified.Sum));
        Assert.Equal(new Dictionary<string, string> { ["policy_id"] = "p1", ["pool"] = "nom-pool", ["target_name"] = "os-nova" }, Labels(verified.Labels));
        var outcomes = snapshot.Counters.Where(c => c.Name == "nomad-autoscaler.policy.evaluation.outcome_count")
            .ToDictionary(c => Labels(c.Labels)["outcome"], c => c.Sum);
        Assert.Equal(new Dictionary<string, double> { ["scaled"] = 1, ["no_action"] = 1 }, outcomes);
        Assert.Equal(5d, Gauge("policy.count.current"));
        Assert.Equal(5d, Gauge("policy.count.desired"));
    }

    [Fact]
    public async Task A_failing_check_counts_an_error_by_check_and_apm()
    {
        _apm.Answer = _ => throw new InvalidOperationException("prometheus down");

        var record = await Evaluate();

        var errors = Assert.Single(_collector.Snapshot().Counters, c => c.Name == "nomad-autoscaler.policy.check.error_count");
        Assert.Equal(new Dictionary<string, string> { ["apm"] = "apm", ["check"] = "cpu", ["policy_id"] = "p1", ["pool"] = "nom-pool", ["target_name"] = "os-nova" }, Labels(errors.Labels));
        var outcome = Assert.Single(_collector.Snapshot().Counters, c => c.Name == "nomad-autoscaler.policy.evaluation.outcome_count");
        Assert.Equal(PolicyStateJsonOutcome(record.Outcome), Labels(outcome.Labels)["outcome"]);
    }

    [Fact]
    public async Task A_removed_policy_leaves_no_gauges()
    {
        _strategy.Answer = r => new ScalingAction(r.CurrentCount, ScalingDirection.None, "");
        var removed = new PolicyHandler(Policies.Cluster() with { Id = "p2" }, _plugins, new ScalingQueues(new Dictionary<string, int> { ["cluster"] = 1 }, _time),
            _time, NullLoggerFactory.Instance, _metrics);
        await Evaluate();
        await removed.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(["p1", "p2"], CurrentCountPolicies());

        await removed.DisposeAsync();

        Assert.Equal(["p1"], CurrentCountPolicies());
    }

    [Fact]
    public void Task_group_policies_have_no_pool_label()
    {
        var group = Policies.Cluster() with { Type = PolicyTypes.Horizontal, Target = new PolicyTarget("nomad-target", new Dictionary<string, string> { ["Job"] = "web", ["Group"] = "web" }) };

        Assert.Null(DecisionMetrics.Pool(group));
        Assert.Equal("nom-pool", DecisionMetrics.Pool(Policies.Cluster()));
    }

    private List<string> CurrentCountPolicies()
        => [.. _collector.Snapshot().Gauges.Where(g => g.Name == "nomad-autoscaler.policy.count.current").Select(g => Labels(g.Labels)["policy_id"]).Order(StringComparer.Ordinal)];

    private static string PolicyStateJsonOutcome(EvaluationOutcome outcome) => NomadAutoscaler.Core.Http.PolicyStateJson.Outcome(outcome);
}
