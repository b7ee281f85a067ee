using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Tests.Evaluation;
using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Core.Tests.HighAvailability;

/// <summary>Every transition of the election, on a fake clock and a lock whose answers each test scripts. TTL 10s:
/// renew every 3.333s, local deadline 9s after the last successful renew was sent, standby retry every 2.5s.</summary>
public sealed class LeaderElectionTests : IAsyncDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedLock _lock = new();
    private readonly LeaderElection _election;

    public LeaderElectionTests()
    {
        _election = new LeaderElection(_lock, Ttl, "nomad-autoscaler/lock", _time, NullLogger.Instance, new Random(1));
    }

    private TimeSpan RenewInterval => _election.Timing.RenewInterval;

    /// <summary>Moves the clock to the election's pending timer (which must be due at <paramref name="at"/>).</summary>
    private async Task AdvanceToTimerAsync(DateTimeOffset? at = null)
    {
        await Eventually.TrueAsync(() => _election.WaitingUntil is not null && (at is null || _election.WaitingUntil == at),
            $"election waiting until {at?.ToString("O") ?? "any time"} (is {_election.WaitingUntil:O})");
        _time.Advance(_election.WaitingUntil!.Value - _time.GetUtcNow());
    }

    private async Task<(LockCall Call, DateTimeOffset SentAt)> BecomeLeaderAsync()
    {
        _election.Start();
        await AdvanceToTimerAsync();
        var acquire = await _lock.NextAsync("acquire");
        var sentAt = _time.GetUtcNow();
        acquire.Grant();
        await Eventually.TrueAsync(() => _election.IsLeader, "leader");
        return (acquire, sentAt);
    }

    [Fact]
    public async Task Acquired_lock_opens_the_gate_and_is_renewed_every_third_of_the_ttl()
    {
        Assert.False(_election.IsLeader);
        var (_, acquiredAt) = await BecomeLeaderAsync();
        Assert.Equal(1, _election.Terms);
        Assert.True(_election.TryEnter(out var term));
        Assert.True(term.CanBeCanceled);

        await AdvanceToTimerAsync(acquiredAt + RenewInterval);
        var renew = await _lock.NextAsync("renew");
        Assert.Equal(ScriptedLock.HeldId, renew.Held!.ID);
        renew.Reply(true);
        await AdvanceToTimerAsync(acquiredAt + (2 * RenewInterval));
        Assert.True(_election.IsLeader);
        Assert.False(term.IsCancellationRequested);
    }

    [Fact]
    public async Task Lock_held_elsewhere_keeps_a_standby_that_retries_every_quarter_ttl()
    {
        _election.Start();
        await AdvanceToTimerAsync();
        (await _lock.NextAsync("acquire")).Reply(null);

        var retryAt = _time.GetUtcNow() + TimeSpan.FromSeconds(2.5);
        await AdvanceToTimerAsync(retryAt);
        Assert.False(_election.IsLeader);
        (await _lock.NextAsync("acquire")).Grant();
        await Eventually.TrueAsync(() => _election.IsLeader, "leader after the holder let go");
    }

    [Fact]
    public async Task Acquire_errors_other_than_409_are_retried_with_doubling_backoff()
    {
        _election.Start();
        await AdvanceToTimerAsync();
        (await _lock.NextAsync("acquire")).Fail(new HttpRequestException("Unexpected response code: 500 (rpc error)"));
        await AdvanceToTimerAsync(_time.GetUtcNow() + TimeSpan.FromMilliseconds(500));
        (await _lock.NextAsync("acquire")).Fail(new HttpRequestException("connection refused"));
        await AdvanceToTimerAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(1));
        (await _lock.NextAsync("acquire")).Grant();

        await Eventually.TrueAsync(() => _election.IsLeader, "leader after the errors");
    }

    [Fact]
    public async Task Acquire_that_never_answers_is_abandoned_and_retried()
    {
        _election.Start();
        await AdvanceToTimerAsync();
        var hung = await _lock.NextAsync("acquire");

        _time.Advance(_election.Timing.AcquireTimeout);
        Assert.True(hung.Token.IsCancellationRequested);
        await AdvanceToTimerAsync(_time.GetUtcNow() + TimeSpan.FromMilliseconds(500));
        (await _lock.NextAsync("acquire")).Grant();
        await Eventually.TrueAsync(() => _election.IsLeader, "leader");
    }

    [Fact]
    public async Task Renew_409_closes_the_gate_at_once_and_goes_back_to_acquiring()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        Assert.True(_election.TryEnter(out var term));

        await AdvanceToTimerAsync(acquiredAt + RenewInterval);
        (await _lock.NextAsync("renew")).Reply(false);

        await Eventually.TrueAsync(() => term.IsCancellationRequested, "term cancelled");
        Assert.False(_election.IsLeader);
        var again = await _lock.NextAsync("acquire");
        Assert.Equal(acquiredAt + RenewInterval, _time.GetUtcNow());
        again.Reply(null);
        Assert.False(_election.IsLeader);
    }

    [Fact]
    public async Task Failing_renews_are_retried_and_leadership_ends_before_the_ttl()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        Assert.True(_election.TryEnter(out var term));
        var deadline = acquiredAt + Ttl - TimeSpan.FromSeconds(1);

        var at = acquiredAt + RenewInterval;
        foreach (var backoff in new[] { 0.5, 1, 2 })
        {
            await AdvanceToTimerAsync(at);
            (await _lock.NextAsync("renew")).Fail(new HttpRequestException("Unexpected response code: 500"));
            at = _time.GetUtcNow() + TimeSpan.FromSeconds(backoff);
        }

        await AdvanceToTimerAsync(at);
        (await _lock.NextAsync("renew")).Fail(new HttpRequestException("Unexpected response code: 500"));
        // The next retry would come after the deadline; the deadline wins.
        await Eventually.TrueAsync(() => _election.WaitingUntil > deadline, "retry scheduled past the deadline");
        _time.Advance(deadline - _time.GetUtcNow() - Tick);
        Assert.True(_election.IsLeader);
        _time.Advance(Tick);
        Assert.False(_election.IsLeader);
        Assert.True(term.IsCancellationRequested);
        Assert.True(_time.GetUtcNow() < acquiredAt + Ttl);
        await _lock.NextAsync("acquire");
    }

    [Fact]
    public async Task Renew_that_never_answers_closes_the_gate_at_the_deadline_and_is_cancelled()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        await AdvanceToTimerAsync(acquiredAt + RenewInterval);
        var hung = await _lock.NextAsync("renew");

        _time.Advance(acquiredAt + Ttl - TimeSpan.FromSeconds(1) - _time.GetUtcNow());

        Assert.False(_election.IsLeader);
        Assert.True(hung.Token.IsCancellationRequested);
        await _lock.NextAsync("acquire");
        Assert.Equal(1, _election.Terms);
    }

    [Fact]
    public async Task Renew_answered_after_the_deadline_does_not_reopen_the_term()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        Assert.True(_election.TryEnter(out var term));
        _lock.LateAnswers = true;
        await AdvanceToTimerAsync(acquiredAt + RenewInterval);
        var late = await _lock.NextAsync("renew");

        _time.Advance(acquiredAt + Ttl - TimeSpan.FromSeconds(1) - _time.GetUtcNow());
        Assert.False(_election.IsLeader);
        late.Reply(true);

        await _lock.NextAsync("acquire");
        Assert.False(_election.IsLeader);
        Assert.True(term.IsCancellationRequested);
        Assert.Equal(1, _election.Terms);
    }

    [Fact]
    public async Task Deadline_counts_from_when_the_last_successful_renew_was_sent()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        var renewSentAt = acquiredAt + RenewInterval;
        await AdvanceToTimerAsync(renewSentAt);
        var slow = await _lock.NextAsync("renew");
        _time.Advance(TimeSpan.FromMilliseconds(500));
        slow.Reply(true);

        // The next renew is sent and never answered: it must not move the deadline.
        await AdvanceToTimerAsync(renewSentAt + RenewInterval);
        await _lock.NextAsync("renew");
        var deadline = renewSentAt + Ttl - TimeSpan.FromSeconds(1);
        _time.Advance(deadline - _time.GetUtcNow() - Tick);
        Assert.True(_election.IsLeader);
        _time.Advance(Tick);
        Assert.False(_election.IsLeader);
    }

    [Fact]
    public async Task Re_acquiring_after_a_loss_starts_a_new_term_only_after_the_old_one_ended()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        Assert.True(_election.TryEnter(out var first));
        await AdvanceToTimerAsync(acquiredAt + RenewInterval);
        (await _lock.NextAsync("renew")).Reply(false);

        var acquire = await _lock.NextAsync("acquire");
        Assert.True(first.IsCancellationRequested);
        acquire.Grant();
        await Eventually.TrueAsync(() => _election.Terms == 2, "second term");
        Assert.True(_election.TryEnter(out var second));
        Assert.False(second.IsCancellationRequested);
        Assert.True(first.IsCancellationRequested);
    }

    [Fact]
    public async Task Stop_closes_the_gate_and_releases_the_lock()
    {
        await BecomeLeaderAsync();
        Assert.True(_election.TryEnter(out var term));

        var stopping = _election.StopAsync();
        var release = await _lock.NextAsync("release");
        Assert.True(term.IsCancellationRequested);
        Assert.Equal(ScriptedLock.HeldId, release.Held!.ID);
        release.Reply(true);
        await stopping;
        Assert.False(_election.IsLeader);
    }

    [Fact]
    public async Task Stop_as_a_standby_releases_nothing()
    {
        _election.Start();
        await AdvanceToTimerAsync();
        (await _lock.NextAsync("acquire")).Reply(null);
        await Eventually.TrueAsync(() => _election.WaitingUntil is not null, "standing by");

        await _election.StopAsync();

        Assert.False(_lock.HasPendingCalls);
    }

    [Fact]
    public async Task Lock_lost_after_a_deadline_stop_is_not_released()
    {
        var (_, acquiredAt) = await BecomeLeaderAsync();
        await AdvanceToTimerAsync(acquiredAt + RenewInterval);
        await _lock.NextAsync("renew");
        _time.Advance(acquiredAt + Ttl - _time.GetUtcNow());
        (await _lock.NextAsync("acquire")).Reply(null);
        await Eventually.TrueAsync(() => _election.WaitingUntil is not null, "standing by");

        await _election.StopAsync();

        Assert.False(_lock.HasPendingCalls);
    }

    public async ValueTask DisposeAsync()
    {
        _lock.CancelPending();
        await _election.DisposeAsync();
    }

    /// <summary>A lock whose every call waits for the test to answer it.</summary>
    private sealed class ScriptedLock : ILeaderLock
    {
        public const string HeldId = "0b0f6b5c-8f0e-4d3a-9b7e-1d2c3b4a5f60";
        private readonly Channel<LockCall> _calls = Channel.CreateUnbounded<LockCall>();
        private readonly List<LockCall> _all = [];
        private bool _closed;

        /// <summary>The "late answer" case: a server reply already on its way is not stopped by cancelling the caller.</summary>
        public bool LateAnswers { get; set; }

        public bool HasPendingCalls => _calls.Reader.Count > 0;

        public async Task<LockCall> NextAsync(string op)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            LockCall call;
            try
            {
                call = await _calls.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no {op} call arrived");
                throw;
            }

            Assert.Equal(op, call.Op);
            return call;
        }

        public void CancelPending()
        {
            lock (_all)
            {
                _closed = true;
                foreach (var call in _all) call.Reply(null);
            }
        }

        public async Task<VariableLock?> TryAcquireAsync(CancellationToken cancellationToken)
            => (VariableLock?)await Enqueue("acquire", null, cancellationToken);

        public async Task<bool> RenewAsync(VariableLock held, CancellationToken cancellationToken)
            => (bool)(await Enqueue("renew", held, cancellationToken) ?? false);

        public Task ReleaseAsync(VariableLock held, CancellationToken cancellationToken) => Enqueue("release", held, cancellationToken);

        private Task<object?> Enqueue(string op, VariableLock? held, CancellationToken cancellationToken)
        {
            var call = new LockCall(op, held, cancellationToken);
            lock (_all)
            {
                if (_closed) return Task.FromResult<object?>(null);
                _all.Add(call);
            }

            _calls.Writer.TryWrite(call);
            return LateAnswers && op == "renew" ? call.Result : call.Result.WaitAsync(cancellationToken);
        }
    }

    private sealed class LockCall(string op, VariableLock? held, CancellationToken token)
    {
        private readonly TaskCompletionSource<object?> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Op => op;

        public VariableLock? Held => held;

        public CancellationToken Token => token;

        public Task<object?> Result => _reply.Task;

        public void Grant() => _reply.TrySetResult(new VariableLock { ID = ScriptedLock.HeldId, TTL = Ttl, LockDelay = TimeSpan.FromSeconds(1) });

        public void Reply(object? value) => _reply.TrySetResult(value);

        public void Fail(Exception error) => _reply.TrySetException(error);
    }
}
