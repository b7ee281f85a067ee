using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Core.Tests.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Evaluation;

/// <summary>The mission's surprise through the whole engine: PolicyManager, the handler's own schedule on a
/// FakeTimeProvider, and the real target-value strategy loaded in-process. 232.04804 / 70 is the factor 3.314972 of the
/// mission's log, so at count 2 target-value asks for ceil(2 × 3.314972) = 7.</summary>
public sealed class MissionSurpriseEngineTests : IAsyncDisposable
{
    private const double MissionMetric = 232.04804;
    private const string Reason = "scaling up because factor is 3.314972";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeApm _apm = new();
    private readonly FakeTarget _target = new() { Count = 2 };
    private readonly CapturingLoggerFactory _logs = new(LogLevel.Information);
    private PluginManager? _strategies;
    private readonly AutoscalerMetrics _metrics = new();
    private PolicyManager? _engine;

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null) await _engine.DisposeAsync();
        if (_strategies is not null) await _strategies.DisposeAsync();
        _metrics.Dispose();
    }

    [Fact]
    public async Task Without_max_scale_up_one_evaluation_jumps_from_2_to_7()
    {
        var handler = await StartAsync(new Dictionary<string, string> { ["target"] = "70" });

        var first = await EvaluateNextAsync(handler);
        Assert.Equal(EvaluationOutcome.Scaled, first.Outcome);
        var (action, _) = Assert.Single(_target.Scales);
        Assert.Equal(7, action.Count);
        Assert.Equal(Reason, action.Reason);

        // At max the strategy keeps asking for more (ceil(7 × 3.31) = 24), which the engine caps to 7: nothing to do.
        _time.Advance(TimeSpan.FromMinutes(5));
        var later = await EvaluateNextAsync(handler);
        Assert.Equal(EvaluationOutcome.NoAction, later.Outcome);
        Assert.Single(_target.Scales);
        Assert.Equal(7, _target.Count);
    }

    [Fact]
    public async Task With_max_scale_up_1_each_evaluation_after_cooldown_adds_one_node_and_stops_at_max()
    {
        var handler = await StartAsync(new Dictionary<string, string> { ["target"] = "70", ["max_scale_up"] = "1" });

        var records = new List<EvaluationRecord>();
        for (var i = 0; i < 12; i++) records.Add(await EvaluateNextAsync(handler));

        // One node per scale, never past max 7.
        Assert.Equal([3L, 4, 5, 6, 7], _target.Scales.Select(s => s.Action.Count));
        Assert.All(_target.Scales, s => Assert.Equal(Reason, s.Action.Reason));
        Assert.Equal(7, _target.Count);

        // Interval 1m, cooldown_on_scale_up 2m: each scale is followed by one evaluation the cooldown blocks, so the
        // next node comes one cooldown later. At 7, target-value's 8 is capped back to 7 and nothing happens.
        EvaluationOutcome S = EvaluationOutcome.Scaled, C = EvaluationOutcome.Cooldown, N = EvaluationOutcome.NoAction;
        Assert.Equal([S, C, S, C, S, C, S, C, S, N, N, N], records.Select(r => r.Outcome));
        Assert.All(records.Zip(records.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(1), pair.Second.StartedAt - pair.First.StartedAt));
        Assert.Equal([2L, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 7], records.Select(r => r.CurrentCount ?? -1));

        var lines = _logs.For("policy_eval.worker").Where(e => e.Message.StartsWith("scaling target", StringComparison.Ordinal)).ToList();
        Assert.Equal([2L, 3, 4, 5, 6], lines.Select(l => Convert.ToInt64(l["from"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([3L, 4, 5, 6, 7], lines.Select(l => Convert.ToInt64(l["to"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(lines, l => Assert.Equal(Reason, l["reason"]));
    }

    private async Task<PolicyHandler> StartAsync(Dictionary<string, string> strategyConfig)
    {
        // The dll next to the built executable is what the in-process loader picks up.
        _strategies = new PluginManager(new PluginHostOptions { PluginDir = TestPaths.PluginBuildDir("target-value") }, _logs);
        await _strategies.StartAsync([new PluginBlock(PluginKind.Strategy, "target-value", "target-value", [], new Dictionary<string, string>(), PluginLoadMode.InProcess)], CancellationToken.None);
        Assert.Null(_strategies.GetProcessId(PluginKind.Strategy, "target-value"));

        _plugins.Apms["apm"] = _apm;
        _plugins.Strategies["target-value"] = _strategies.GetStrategy("target-value");
        _plugins.Targets["os-nova"] = _target;
        _apm.Answer = q => [new MetricPoint(q.To, MissionMetric)];

        var check = Policies.Check("cpu", strategy: "target-value") with { StrategyConfig = strategyConfig };
        var policy = Policies.Cluster(min: 2, max: 7, check) with
        {
            EvaluationInterval = TimeSpan.FromMinutes(1),
            Cooldown = TimeSpan.FromMinutes(2),
            CooldownOnScaleUp = TimeSpan.FromMinutes(2),
        };
        _engine = new PolicyManager(_plugins, new Dictionary<string, int> { [PolicyTypes.Cluster] = 10 }, _time, _logs, _metrics);
        await _engine.ApplyAsync(new PolicySnapshot("file", [policy], []));
        return _engine.Find(policy.Id) ?? throw new InvalidOperationException("the manager did not start a handler");
    }

    /// <summary>Moves the fake clock to the handler's next scheduled evaluation and waits for its record.</summary>
    private async Task<EvaluationRecord> EvaluateNextAsync(PolicyHandler handler)
    {
        var history = handler.History;
        var previous = history.Count > 0 ? history[0].ScheduledAt : DateTimeOffset.MinValue;
        await Eventually.TrueAsync(() => handler.NextEvaluation > previous, "the next evaluation to be scheduled");
        var at = handler.NextEvaluation!.Value;
        if (at > _time.GetUtcNow()) _time.SetUtcNow(at);
        await Eventually.TrueAsync(() => handler.History is { Count: > 0 } h && h[0].ScheduledAt == at, $"the evaluation scheduled at {at:O}");
        return handler.History[0];
    }
}
