using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Evaluation;

/// <summary>A plugin that never answers costs its policy one evaluation: the APM query and the strategy run end at
/// three quarters of the interval, as the target status call does.</summary>
public sealed class PluginDeadlineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeTarget _target = new() { Count = 2 };

    public PluginDeadlineTests()
    {
        _plugins.Apms["apm"] = new FakeApm();
        _plugins.Strategies["s"] = new FakeStrategy();
        _plugins.Targets["os-nova"] = _target;
    }

    private Task<EvaluationRecord> Evaluate(ScalingPolicy policy)
    {
        var handler = new PolicyHandler(policy, _plugins, new ScalingQueues(new Dictionary<string, int> { ["cluster"] = 1 }, _time),
            _time, NullLoggerFactory.Instance, new AutoscalerMetrics());
        return handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hung_apm_query_fails_its_check_when_the_deadline_passes(bool honoursCancellation)
    {
        var apm = new HungApm(honoursCancellation);
        _plugins.Apms["apm"] = apm;
        var evaluation = Evaluate(Policies.Cluster() with { EvaluationInterval = TimeSpan.FromSeconds(20), OnCheckError = "fail" });

        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(evaluation.IsCompleted, "the query is given until 15s");
        _time.Advance(TimeSpan.FromSeconds(1));
        var record = await evaluation.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(EvaluationOutcome.Error, record.Outcome);
        Assert.Equal("failed to query source: apm plugin \"apm\" did not answer within 15s", Assert.Single(record.Checks).Error);
        Assert.True(apm.Cancelled.IsCancellationRequested, "the abandoned call is told to stop");
        Assert.Empty(_target.Scales);
    }

    [Fact]
    public async Task A_hung_strategy_fails_its_check_and_the_other_checks_still_decide()
    {
        _plugins.Strategies["hung"] = new HungStrategy();
        _plugins.Strategies["s"] = new FakeStrategy { Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more") };
        var policy = Policies.Cluster(1, 7, Policies.Check("stuck", strategy: "hung"), Policies.Check("cpu"));
        var evaluation = Evaluate(policy);

        _time.Advance(TimeSpan.FromSeconds(45));
        var record = await evaluation.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("strategy plugin \"hung\" did not answer within 45s", record.Checks.Single(c => c.Check == "stuck").Error);
        Assert.Equal(EvaluationOutcome.Scaled, record.Outcome);
        Assert.Equal(3, _target.Count);
    }

    [Fact]
    public async Task A_call_that_answers_in_time_is_not_touched()
    {
        var slow = new SlowApm(_time, TimeSpan.FromSeconds(40));
        _plugins.Apms["apm"] = slow;
        var evaluation = Evaluate(Policies.Cluster());

        _time.Advance(TimeSpan.FromSeconds(40));
        var record = await evaluation.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(Assert.Single(record.Checks).Error);
        Assert.False(slow.Cancelled, "a call within its 45s is never cancelled");
    }

    private sealed class HungApm(bool honoursCancellation) : IApmClient
    {
        public CancellationToken Cancelled { get; private set; }

        public string PluginName => "apm";

        public Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
        {
            Cancelled = cancellationToken;
            var never = new TaskCompletionSource<IReadOnlyList<MetricPoint>>();
            if (honoursCancellation) cancellationToken.Register(() => never.TrySetCanceled(cancellationToken));
            return never.Task;
        }

        public Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
            => throw new NotSupportedException();
    }

    private sealed class HungStrategy : IStrategyClient
    {
        public string PluginName => "hung";

        public Task<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken) => new TaskCompletionSource<ScalingAction>().Task;
    }

    private sealed class SlowApm(TimeProvider time, TimeSpan delay) : IApmClient
    {
        public bool Cancelled { get; private set; }

        public string PluginName => "apm";

        public async Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
        {
            using var registration = cancellationToken.Register(() => Cancelled = true);
            await Task.Delay(delay, time, CancellationToken.None);
            return [new MetricPoint(time.GetUtcNow(), 1)];
        }

        public Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
            => throw new NotSupportedException();
    }
}
