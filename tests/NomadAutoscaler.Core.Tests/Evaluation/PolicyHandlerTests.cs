using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Evaluation;

public sealed class PolicyHandlerTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeApm _apm = new();
    private readonly FakeStrategy _strategy = new();
    private readonly FakeTarget _target = new() { Count = 2 };
    private readonly AutoscalerMetrics _metrics = new();
    private readonly List<PolicyHandler> _handlers = [];

    public PolicyHandlerTests()
    {
        _plugins.Apms["apm"] = _apm;
        _plugins.Strategies["s"] = _strategy;
        _plugins.Strategies["s2"] = new FakeStrategy();
        _plugins.Targets["os-nova"] = _target;
    }

    private PolicyHandler Handler(ScalingPolicy policy, IReadOnlyDictionary<string, int>? workers = null)
    {
        var handler = new PolicyHandler(policy, _plugins, new ScalingQueues(workers ?? new Dictionary<string, int> { ["cluster"] = 10 }, _time),
            _time, NullLoggerFactory.Instance, _metrics);
        _handlers.Add(handler);
        return handler;
    }

    private static Task WaitScheduled(PolicyHandler handler, DateTimeOffset at)
        => Eventually.TrueAsync(() => handler.NextEvaluation == at, $"next evaluation scheduled at {at:O}");

    private Task<EvaluationRecord> Evaluate(PolicyHandler handler) => handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

    [Fact]
    public async Task Strategy_up_scales_target_and_starts_cooldown()
    {
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "scaling up because factor is 1.200000");
        var handler = Handler(Policies.Cluster());

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.Scaled, record.Outcome);
        Assert.Equal(3, _target.Count);
        var (action, config) = Assert.Single(_target.Scales);
        Assert.Equal("p1", action.Meta[PolicyHandler.MetaPolicyId]);
        Assert.Equal("45s", config[PolicyEvaluator.GrpcTimeoutKey]);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(2), handler.CooldownUntil);
    }

    [Fact]
    public async Task Cooldown_blocks_scaling_until_it_has_passed()
    {
        _strategy.Answer = r => new ScalingAction(r.CurrentCount + 1, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster() with { CooldownOnScaleUp = TimeSpan.FromMinutes(3) });

        Assert.Equal(EvaluationOutcome.Scaled, (await Evaluate(handler)).Outcome);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(EvaluationOutcome.Cooldown, (await Evaluate(handler)).Outcome);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(EvaluationOutcome.Scaled, (await Evaluate(handler)).Outcome);
        Assert.Equal(4, _target.Count);
    }

    [Fact]
    public async Task Scale_down_uses_cooldown_not_cooldown_on_scale_up()
    {
        _strategy.Answer = _ => new ScalingAction(1, ScalingDirection.Down, "less");
        var handler = Handler(Policies.Cluster() with { Cooldown = TimeSpan.FromMinutes(10), CooldownOnScaleUp = TimeSpan.FromMinutes(1) });

        await Evaluate(handler);

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), handler.CooldownUntil);
    }

    [Fact]
    public async Task Count_below_min_is_brought_into_range_even_when_the_apm_fails()
    {
        _target.Count = 0;
        _apm.Answer = _ => throw new InvalidOperationException("no nodes identified within pool");
        var handler = Handler(Policies.Cluster(min: 1, max: 2));

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.Scaled, record.Outcome);
        var (action, _) = Assert.Single(_target.Scales);
        Assert.Equal(1, action.Count);
        Assert.Equal("current count (0) below limit (1)", action.Reason);
    }

    [Fact]
    public async Task Count_above_max_is_brought_down_when_checks_want_nothing()
    {
        _target.Count = 9;
        var handler = Handler(Policies.Cluster(min: 1, max: 7));

        await Evaluate(handler);

        var (action, _) = Assert.Single(_target.Scales);
        Assert.Equal(7, action.Count);
        Assert.Equal(ScalingDirection.Down, action.Direction);
        Assert.Equal("current count (9) above limit (7)", action.Reason);
    }

    [Fact]
    public async Task Strategy_result_is_capped_to_max_with_upstream_reason_and_meta()
    {
        _strategy.Answer = _ => new ScalingAction(12, ScalingDirection.Up, "scaling up because factor is 6.000000");
        var handler = Handler(Policies.Cluster(min: 1, max: 7));

        await Evaluate(handler);

        var (action, _) = Assert.Single(_target.Scales);
        Assert.Equal(7, action.Count);
        Assert.Equal("capped count from 12 to 7 to stay within limits", action.Reason);
        Assert.Equal(true, action.Meta[PolicyEvaluator.MetaCapped]);
        Assert.Equal("12", action.Meta[PolicyEvaluator.MetaOriginal]);
    }

    [Fact]
    public async Task Mission_surprise_jumps_to_max_in_one_step()
    {
        // target-value with factor 3.314972 at count 2 asks for ceil(6.63) = 7; with max 7 that is one jump.
        _strategy.Answer = r => new ScalingAction((long)Math.Ceiling(r.CurrentCount * 3.314972), ScalingDirection.Up, "scaling up because factor is 3.314972");
        var handler = Handler(Policies.Cluster(min: 2, max: 7));

        await Evaluate(handler);

        Assert.Equal(7, _target.Count);
    }

    [Fact]
    public async Task No_action_when_strategy_says_none()
    {
        var handler = Handler(Policies.Cluster());

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.NoAction, record.Outcome);
        Assert.Empty(_target.Scales);
    }

    [Fact]
    public async Task Target_not_ready_skips_the_evaluation()
    {
        _target.Ready = false;
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster());

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.TargetNotReady, record.Outcome);
        Assert.Empty(_target.Scales);
        Assert.Empty(_apm.Queries);
    }

    [Fact]
    public async Task Dry_run_logs_but_never_calls_the_target()
    {
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "more");
        var policy = Policies.Cluster();
        policy = policy with { Target = policy.Target with { Config = new Dictionary<string, string>(policy.Target.Config) { ["dry-run"] = "true" } } };
        var handler = Handler(policy);

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.DryRun, record.Outcome);
        Assert.Empty(_target.Scales);
        Assert.Equal(2, _target.Count);
    }

    [Fact]
    public async Task Check_error_with_on_check_error_fail_aborts_without_scaling()
    {
        _apm.Answer = q => q.Query == "bad" ? throw new InvalidOperationException("boom") : [new MetricPoint(_time.GetUtcNow(), 1)];
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster(1, 7, Policies.Check("good"), Policies.Check("broken", query: "bad")) with { OnCheckError = "fail" });

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.Error, record.Outcome);
        Assert.Contains("boom", record.Error);
        Assert.Empty(_target.Scales);
    }

    [Fact]
    public async Task Ignored_failing_check_does_not_block_scale_down()
    {
        _apm.Answer = q => q.Query == "bad" ? throw new InvalidOperationException("boom") : [new MetricPoint(_time.GetUtcNow(), 1)];
        _strategy.Answer = _ => new ScalingAction(1, ScalingDirection.Down, "less");
        var handler = Handler(Policies.Cluster(1, 7, Policies.Check("good"), Policies.Check("broken", query: "bad", onError: "ignore")));

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.Scaled, record.Outcome);
        Assert.Equal(1, _target.Count);
        Assert.Contains(record.Checks, c => c.Check == "broken" && c.Error!.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Empty_metrics_count_as_a_check_error()
    {
        _apm.Answer = _ => [];
        var handler = Handler(Policies.Cluster() with { OnCheckError = "fail" });

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.Error, record.Outcome);
        Assert.Contains("no metrics available", record.Error);
    }

    [Fact]
    public async Task Identical_queries_are_sent_once_per_evaluation()
    {
        var handler = Handler(Policies.Cluster(1, 7, Policies.Check("a"), Policies.Check("b"), Policies.Check("c", query: "other")));

        await Evaluate(handler);

        Assert.Equal(2, _apm.Queries.Count);
    }

    [Fact]
    public async Task Query_window_and_offset_set_the_time_range()
    {
        var check = Policies.Check("a") with { QueryWindow = TimeSpan.FromMinutes(5), QueryWindowOffset = TimeSpan.FromMinutes(1) };
        var handler = Handler(Policies.Cluster(1, 7, check));

        await Evaluate(handler);

        var query = Assert.Single(_apm.Queries);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMinutes(1), query.To);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMinutes(6), query.From);
    }

    [Fact]
    public async Task Fixed_value_needs_no_apm()
    {
        _plugins.Strategies["fixed-value"] = new FakeStrategy { Answer = _ => new ScalingAction(4, ScalingDirection.Up, "scaling up because fixed value is 4") };
        var handler = Handler(Policies.Cluster(1, 7, Policies.Check("floor", strategy: "fixed-value")));

        await Evaluate(handler);

        Assert.Empty(_apm.Queries);
        Assert.Equal(4, _target.Count);
    }

    [Fact]
    public async Task Target_no_op_starts_no_cooldown()
    {
        _target.AnswerNoOp = true;
        _target.NoOpReason = "scale-in limited to 0 of 2: allocations of job batch-7 on node n1 fit nowhere else";
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster());

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.TargetNoOp, record.Outcome);
        Assert.Equal(_target.NoOpReason, record.Reason);
        Assert.Equal(DateTimeOffset.MinValue, handler.CooldownUntil);
    }

    [Fact]
    public async Task Scale_error_is_recorded_and_starts_no_cooldown()
    {
        _target.ScaleError = new InvalidOperationException("quota exceeded");
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster());

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.Error, record.Outcome);
        Assert.Equal("quota exceeded", record.Error);
        Assert.Equal(DateTimeOffset.MinValue, handler.CooldownUntil);
    }

    [Fact]
    public async Task Last_event_from_target_keeps_cooldown_after_a_restart()
    {
        var lastEvent = _time.GetUtcNow() - TimeSpan.FromSeconds(30);
        _target.Meta[TargetStatusMeta.LastEvent] = ((lastEvent - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _strategy.Answer = _ => new ScalingAction(5, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster());

        Assert.Equal(EvaluationOutcome.Cooldown, (await Evaluate(handler)).Outcome);
        _time.Advance(TimeSpan.FromSeconds(91));
        Assert.Equal(EvaluationOutcome.Scaled, (await Evaluate(handler)).Outcome);
    }

    [Fact]
    public async Task Target_notice_reaches_the_decision_history_whatever_the_outcome()
    {
        _target.Meta[TargetStatusMeta.Notice] = "1 ACTIVE server(s) have no Nomad node after node_join_timeout 10m0s";
        var handler = Handler(Policies.Cluster());

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.NoAction, record.Outcome);
        Assert.Equal(_target.Meta[TargetStatusMeta.Notice], record.Notice);
        _target.Meta.Remove(TargetStatusMeta.Notice);
        Assert.Null((await Evaluate(handler)).Notice);
    }

    [Fact]
    public async Task Outside_policy_schedule_skips_everything()
    {
        // 12:00 UTC on a Friday; the window is 08:00-09:00.
        var handler = Handler(Policies.Cluster() with { Schedule = PolicySchedule.Create("0 8 * * *", "0 9 * * *", null) });

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.OutsideSchedule, record.Outcome);
        Assert.Empty(_target.StatusCalls);
    }

    [Fact]
    public async Task Check_outside_its_schedule_casts_no_vote()
    {
        _plugins.Strategies["s2"] = new FakeStrategy { Answer = _ => new ScalingAction(6, ScalingDirection.Up, "night") };
        var night = Policies.Check("night", strategy: "s2") with { Schedule = PolicySchedule.Create("0 22 * * *", null, TimeSpan.FromHours(2)) };
        var handler = Handler(Policies.Cluster(1, 7, Policies.Check("day"), night));

        var record = await Evaluate(handler);

        Assert.Equal(EvaluationOutcome.NoAction, record.Outcome);
        Assert.True(record.Checks.Single(c => c.Check == "night").Skipped);
    }

    [Fact]
    public async Task Loop_first_evaluates_one_interval_after_start_and_then_every_interval()
    {
        var handler = Handler(Policies.Cluster());
        var start = _time.GetUtcNow();
        handler.Start();

        await WaitScheduled(handler, start + TimeSpan.FromMinutes(1));
        Assert.Empty(_target.StatusCalls);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => _target.StatusCalls.Count == 1, "first evaluation");
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(2));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Single(_target.StatusCalls);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => _target.StatusCalls.Count == 2, "second evaluation");
        await Eventually.TrueAsync(() => handler.History.Count == 2, "two records");
    }

    [Fact]
    public async Task A_policy_is_never_evaluated_twice_at_once()
    {
        _strategy.Answer = r => new ScalingAction(r.CurrentCount + 1, ScalingDirection.Up, "more");
        _target.HoldScale = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Handler(Policies.Cluster() with { CooldownOnScaleUp = TimeSpan.Zero });
        handler.Start();

        await WaitScheduled(handler, _time.GetUtcNow() + TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => _target.Scales.Count == 1, "scale started");
        for (var i = 0; i < 5; i++) _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(_target.StatusCalls);

        _target.HoldScale.SetResult();
        _target.HoldScale = null;
        await WaitScheduled(handler, _time.GetUtcNow() + TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => _target.Scales.Count == 2, "next scale after the first finished");
        Assert.Equal(1, _target.MaxConcurrentScales);
    }

    [Fact]
    public async Task Update_with_a_new_interval_reschedules()
    {
        var handler = Handler(Policies.Cluster());
        handler.Start();
        await WaitScheduled(handler, _time.GetUtcNow() + TimeSpan.FromMinutes(1));

        handler.Update(Policies.Cluster() with { EvaluationInterval = TimeSpan.FromSeconds(10) });
        await Eventually.TrueAsync(() => handler.NextEvaluation == _time.GetUtcNow() + TimeSpan.FromSeconds(10), "rescheduled");
        _time.Advance(TimeSpan.FromSeconds(10));

        await Eventually.TrueAsync(() => _target.StatusCalls.Count == 1, "evaluated on the new interval");
    }

    [Fact]
    public async Task History_keeps_the_last_twenty_evaluations_newest_first()
    {
        var handler = Handler(Policies.Cluster());
        for (var i = 0; i < 25; i++)
        {
            await Evaluate(handler);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(PolicyHandler.HistorySize, handler.History.Count);
        Assert.True(handler.History[0].StartedAt > handler.History[1].StartedAt);
    }

    [Fact]
    public async Task Queue_with_one_worker_scales_one_target_at_a_time()
    {
        var other = new FakeTarget { Count = 2 };
        _plugins.Targets["other"] = other;
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        _target.HoldScale = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = new Dictionary<string, int> { ["cluster"] = 1 };
        var queues = new ScalingQueues(workers, _time);
        var first = new PolicyHandler(Policies.Cluster(), _plugins, queues, _time, NullLoggerFactory.Instance, _metrics);
        var second = new PolicyHandler(Policies.Cluster() with { Id = "p2", Target = new PolicyTarget("other", new Dictionary<string, string>()) },
            _plugins, queues, _time, NullLoggerFactory.Instance, _metrics);
        _handlers.Add(first);
        _handlers.Add(second);

        var firstRun = Evaluate(first);
        await Eventually.TrueAsync(() => _target.Scales.Count == 1, "first holds the slot");
        var secondRun = Evaluate(second);
        await Eventually.TrueAsync(() => queues.InUse["cluster"] == 1 && other.StatusCalls.Count == 1, "second evaluated");
        Assert.Empty(other.Scales);

        _target.HoldScale.SetResult();
        await firstRun;
        await secondRun;
        Assert.Single(other.Scales);
    }

    [Fact]
    public async Task Waiting_for_a_slot_gives_up_after_two_minutes()
    {
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        var handler = Handler(Policies.Cluster(), new Dictionary<string, int> { ["cluster"] = 0 });

        var run = Evaluate(handler);
        await Eventually.TrueAsync(() => _target.StatusCalls.Count == 1, "evaluated");
        _time.Advance(ScalingQueues.SlotWaitLimit);
        var record = await run;

        Assert.Equal(EvaluationOutcome.Error, record.Outcome);
        Assert.Contains("timeout while waiting for slot", record.Error);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var handler in _handlers) await handler.DisposeAsync();
        _metrics.Dispose();
    }
}
