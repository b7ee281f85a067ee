using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Tests.Evaluation;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.HighAvailability;

/// <summary>The policy engine under an <see cref="IEvaluationGate"/>: standbys keep their schedule without
/// evaluating, a lost term cancels the evaluation in progress, and a new leader inherits the previous leader's
/// cooldown through the target's last scaling event.</summary>
public sealed class LeadershipGateTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeStrategy _strategy = new();
    private readonly FakeTarget _target = new() { Count = 2 };
    private readonly AutoscalerMetrics _metrics = new();
    private readonly List<PolicyHandler> _handlers = [];

    public LeadershipGateTests()
    {
        _plugins.Apms["apm"] = new FakeApm();
        _plugins.Strategies["s"] = _strategy;
        _plugins.Targets["os-nova"] = _target;
    }

    private PolicyHandler Handler(IEvaluationGate gate)
    {
        var handler = new PolicyHandler(Policies.Cluster(), _plugins, new ScalingQueues(new Dictionary<string, int> { ["cluster"] = 10 }, _time),
            _time, NullLoggerFactory.Instance, _metrics, gate);
        _handlers.Add(handler);
        return handler;
    }

    private Task WaitScheduled(PolicyHandler handler, DateTimeOffset at)
        => Eventually.TrueAsync(() => handler.NextEvaluation == at, $"next evaluation scheduled at {at:O}");

    [Fact]
    public async Task Standby_keeps_its_schedule_but_never_evaluates_until_it_leads()
    {
        var gate = new TestGate();
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        var handler = Handler(gate);
        var start = _time.GetUtcNow();
        handler.Start();

        await WaitScheduled(handler, start + TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(2));
        Assert.Empty(_target.StatusCalls);
        Assert.Empty(handler.History);

        gate.Open();
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(3));
        Assert.Single(_target.StatusCalls);
        Assert.Single(_target.Scales);
    }

    [Fact]
    public async Task Losing_the_term_cancels_the_evaluation_in_progress_without_a_cooldown()
    {
        var gate = new TestGate();
        gate.Open();
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        _target.HoldScale = new TaskCompletionSource();
        var handler = Handler(gate);
        var start = _time.GetUtcNow();
        handler.Start();
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => !_target.Scales.IsEmpty, "scale in progress");

        gate.Close();

        await WaitScheduled(handler, start + TimeSpan.FromMinutes(2));
        Assert.Equal(EvaluationOutcome.Cancelled, handler.History[0].Outcome);
        Assert.Equal(DateTimeOffset.MinValue, handler.CooldownUntil);
        // The plugin is told too: a drain can outlast the lock, and a deposed leader must not go on to delete
        // servers beside the next one (the fault soak found it, seed 100).
        Assert.True(_target.ScaleTokens.Single().IsCancellationRequested);
        _target.HoldScale.SetResult();
    }

    [Fact]
    public async Task Without_HA_a_scale_in_flight_is_never_cancelled()
    {
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        var handler = Handler(OpenEvaluationGate.Instance);
        var start = _time.GetUtcNow();
        handler.Start();
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(2));

        Assert.False(_target.ScaleTokens.Single().CanBeCanceled);
    }

    [Fact]
    public async Task New_leader_does_not_scale_inside_the_cooldown_the_old_leader_started()
    {
        var gateA = new TestGate();
        var gateB = new TestGate();
        gateA.Open();
        _strategy.Answer = r => new ScalingAction(r.CurrentCount + 1, ScalingDirection.Up, "more");
        var leader = Handler(gateA);
        var standby = Handler(gateB);
        var start = _time.GetUtcNow();
        leader.Start();
        standby.Start();
        await WaitScheduled(leader, start + TimeSpan.FromMinutes(1));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(leader, start + TimeSpan.FromMinutes(2));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(2));
        var scaledAt = _time.GetUtcNow();
        Assert.Equal(3, _target.Count);
        // What Nomad reports afterwards: the job's latest scaling event, as nomad-target turns it into status meta.
        _target.Meta[TargetStatusMeta.LastEvent] = ((scaledAt - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Failover: the old leader dies, the standby wins one minute later, with a cooldown of 2 minutes left to run.
        gateA.Close();
        gateB.Open();
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(3));
        Assert.Equal(EvaluationOutcome.Cooldown, standby.History[0].Outcome);
        Assert.Single(_target.Scales);

        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(4));
        Assert.Equal(EvaluationOutcome.Scaled, standby.History[0].Outcome);
        Assert.Equal(2, _target.Scales.Count);
        Assert.Equal(scaledAt + Policies.Cluster().CooldownOnScaleUp, _time.GetUtcNow());
    }

    [Fact]
    public async Task New_leader_inherits_the_recorded_cooldown_when_the_target_reports_no_last_event()
    {
        var store = new FakeCooldownStore();
        var gateA = new TestGate(store);
        var gateB = new TestGate(store);
        gateA.Open();
        _strategy.Answer = r => new ScalingAction(r.CurrentCount + 1, ScalingDirection.Up, "more");
        var leader = Handler(gateA);
        var standby = Handler(gateB);
        var start = _time.GetUtcNow();
        leader.Start();
        standby.Start();
        await WaitScheduled(leader, start + TimeSpan.FromMinutes(1));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(leader, start + TimeSpan.FromMinutes(2));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(2));
        Assert.Equal(start + TimeSpan.FromMinutes(3), store.Saved["p1"]);
        Assert.DoesNotContain(TargetStatusMeta.LastEvent, _target.Meta.Keys);

        gateA.Close();
        gateB.Open();
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(3));
        Assert.Equal(EvaluationOutcome.Cooldown, standby.History[0].Outcome);
        Assert.Single(_target.Scales);

        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(standby, start + TimeSpan.FromMinutes(4));
        Assert.Equal(EvaluationOutcome.Scaled, standby.History[0].Outcome);
        // Read once per term: the old leader's term, and the new leader's.
        Assert.Equal(2, store.Gets);
        Assert.Equal(start + TimeSpan.FromMinutes(5), store.Saved["p1"]);
    }

    [Fact]
    public async Task Unreadable_cooldown_state_skips_evaluations_until_it_can_be_read()
    {
        var store = new FakeCooldownStore { FailGets = true };
        var gate = new TestGate(store);
        gate.Open();
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        var handler = Handler(gate);
        var start = _time.GetUtcNow();
        handler.Start();
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(2));
        Assert.Equal(1, store.Gets);
        Assert.Empty(_target.StatusCalls);

        store.FailGets = false;
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitScheduled(handler, start + TimeSpan.FromMinutes(3));
        Assert.Single(_target.Scales);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var handler in _handlers) await handler.DisposeAsync();
        _metrics.Dispose();
    }

    private sealed class TestGate(ICooldownStore? cooldowns = null) : IEvaluationGate
    {
        private CancellationTokenSource? _term;

        public ICooldownStore? Cooldowns => cooldowns;

        public void Open() => _term = new CancellationTokenSource();

        public void Close()
        {
            _term?.Cancel();
            _term = null;
        }

        public bool TryEnter(out CancellationToken term)
        {
            var current = _term;
            term = current?.Token ?? CancellationToken.None;
            return current is not null;
        }
    }

    private sealed class FakeCooldownStore : ICooldownStore
    {
        private int _gets;

        public Dictionary<string, DateTimeOffset> Saved { get; } = new();

        public bool FailGets { get; set; }

        public int Gets => _gets;

        public Task<DateTimeOffset?> GetAsync(string policyId, CancellationToken term, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _gets);
            if (FailGets) throw new HttpRequestException("Unexpected response code: 500 (rpc error)");
            return Task.FromResult<DateTimeOffset?>(Saved.TryGetValue(policyId, out var until) ? until : null);
        }

        public Task RecordAsync(string policyId, DateTimeOffset until, CancellationToken cancellationToken)
        {
            Saved[policyId] = until;
            return Task.CompletedTask;
        }
    }
}
