using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Internal;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.HighAvailability;

/// <summary>How the election paces itself for a lock TTL. Nomad keeps a lock for at least 2×TTL + lock delay after
/// the server saw the last renew; this side gives up leadership TTL − margin after it <em>sent</em> that renew, so a
/// deposed leader has stopped at least TTL + delay + margin before anyone else can take the lock.</summary>
internal sealed record LeaderElectionTiming(TimeSpan Ttl)
{
    /// <summary>Renews three times per TTL (upstream: once per 0.7×TTL), so two failed renews still leave time.</summary>
    public TimeSpan RenewInterval => Ttl / 3;

    /// <summary>Room for clock-rate differences and scheduling pauses between our deadline timer and the server's.</summary>
    public TimeSpan SafetyMargin => Ttl / 10;

    /// <summary>How often a standby retries a held lock (upstream: 1.1×TTL); a 409 costs the server no write.</summary>
    public TimeSpan AcquireInterval => Ttl / 4;

    public TimeSpan InitialBackoff => Min(TimeSpan.FromMilliseconds(500), Ttl / 20);

    public TimeSpan MaxAcquireBackoff => AcquireInterval;

    /// <summary>Longest an acquire may take before it is abandoned and retried. Generous on purpose: an abandoned
    /// acquire that Nomad still carries out leaves a lock nobody knows the ID of, which blocks every agent for
    /// 2×TTL + delay; and a late answer is safe, since the term's deadline counts from when the call was sent.</summary>
    public TimeSpan AcquireTimeout => Ttl;

    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>
/// Leader election on a Nomad variable lock. Exactly one agent of a group holds the lock and is let through
/// <see cref="IEvaluationGate"/>; the others are hot standbys. Unlike upstream, losing the lock — a 409 on renew,
/// or no successful renew before the local deadline — closes the gate at once (cancelling evaluations in progress),
/// and the agent run itself is never restarted, so a re-acquire cannot start a second one. Errors other than a 409
/// are retried with backoff instead of ending the process.
/// </summary>
internal sealed class LeaderElection : IEvaluationGate, IAsyncDisposable
{
    private readonly ILeaderLock _lock;
    private readonly LeaderElectionTiming _timing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly string _lockPath;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private CancellationTokenSource? _term;
    private VariableLock? _held;
    private DateTimeOffset? _waitingUntil;
    private Task _loop = Task.CompletedTask;
    private int _terms;
    private IDisposable? _client;

    public LeaderElection(ILeaderLock leaderLock, TimeSpan ttl, string lockPath, TimeProvider time, ILogger logger, Random? random = null,
        ICooldownStore? cooldowns = null)
    {
        Cooldowns = cooldowns;
        _lock = leaderLock;
        _timing = new LeaderElectionTiming(ttl);
        _lockPath = lockPath;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
    }

    public LeaderElectionTiming Timing => _timing;

    public ICooldownStore? Cooldowns { get; }

    /// <summary>The variable that carries cooldowns from one leader to the next.</summary>
    public static string StatePath(string lockPath) => lockPath + "/state";

    /// <summary>The election of an agent with <c>high_availability { enabled = true }</c>, on its own Nomad client.</summary>
    public static LeaderElection Create(Configuration.AgentConfig config, ILoggerFactory loggers)
    {
        var ha = config.HighAvailability;
        var logger = loggers.CreateLogger("agent.ha");
        logger.Hclog(LogLevel.Information, "running in HA mode", ("lock_namespace", ha.LockNamespace), ("lock_path", ha.LockPath),
            ("lock_ttl", GoDuration.Format(ha.LockTtl)), ("lock_delay", GoDuration.Format(ha.LockDelay)));
        var client = new NomadClient(Agent.AutoscalerAgent.ClientOptions(config.Nomad), logger: loggers.CreateLogger("agent.ha.nomad"));
        return new LeaderElection(new NomadVariableLock(client, ha.LockPath, ha.LockNamespace, ha.LockTtl, ha.LockDelay), ha.LockTtl, ha.LockPath,
            TimeProvider.System, logger, cooldowns: new NomadCooldownStore(client, StatePath(ha.LockPath), ha.LockNamespace, TimeProvider.System))
        {
            _client = client,
        };
    }

    /// <summary>True while this agent holds the lock and its local deadline has not passed.</summary>
    public bool IsLeader => TryEnter(out _);

    /// <summary>How many times this agent became leader.</summary>
    public int Terms
    {
        get
        {
            lock (_sync) return _terms;
        }
    }

    /// <summary>When the election loop's current timer fires; set only once that timer exists, so a test with a fake
    /// clock knows it may advance time.</summary>
    internal DateTimeOffset? WaitingUntil
    {
        get
        {
            lock (_sync) return _waitingUntil;
        }
    }

    public bool TryEnter(out CancellationToken term)
    {
        lock (_sync)
        {
            if (_term is { IsCancellationRequested: false } current)
            {
                term = current.Token;
                return true;
            }
        }

        term = CancellationToken.None;
        return false;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Starts campaigning on the caller's thread, for a host that runs everything on one thread in virtual
    /// time (the scaling lab).</summary>
    internal void StartOnCallerThread() => _loop = RunAsync(_stop.Token);

    /// <summary>Stops campaigning, closes the gate, and releases the lock if it is held.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        VariableLock? held;
        lock (_sync) held = _held;
        if (held is null) return;
        try
        {
            using var timeout = new CancellationTokenSource(_timing.AcquireTimeout, _time);
            await _lock.ReleaseAsync(held, timeout.Token);
            _logger.Hclog(LogLevel.Information, "released lock", ("lock_path", _lockPath));
        }
        catch (Exception ex)
        {
            // The lock then expires on the server on its own; nobody is left acting on it here.
            _logger.Hclog(LogLevel.Warning, "failed to release lock", ("lock_path", _lockPath), ("error", ex.Message));
        }

        lock (_sync) _held = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        (Cooldowns as IDisposable)?.Dispose();
        _client?.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            // Spreads agents started together, as upstream's LockLeaser does.
            await WaitAsync(_time.GetUtcNow() + TimeSpan.FromMilliseconds(_random.Next(100)), stop);
            var backoff = _timing.InitialBackoff;
            while (!stop.IsCancellationRequested)
            {
                var sentAt = _time.GetUtcNow();
                VariableLock? held;
                try
                {
                    using var timeout = new CancellationTokenSource(_timing.AcquireTimeout, _time);
                    using var call = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
                    held = await _lock.TryAcquireAsync(call.Token);
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    var error = ex is OperationCanceledException ? "no answer within " + GoDuration.Format(_timing.AcquireTimeout) : ex.Message;
                    _logger.Hclog(LogLevel.Error, "failed to acquire lock, retrying", ("error", "locks: " + error), ("retry_in", GoDuration.Format(backoff)));
                    await WaitAsync(_time.GetUtcNow() + backoff, stop);
                    backoff = LeaderElectionTiming.Min(backoff * 2, _timing.MaxAcquireBackoff);
                    continue;
                }

                backoff = _timing.InitialBackoff;
                if (held is null)
                {
                    _logger.Hclog(LogLevel.Debug, "lock held by another agent, standing by", ("lock_path", _lockPath));
                    await WaitAsync(_time.GetUtcNow() + _timing.AcquireInterval, stop);
                    continue;
                }

                await LeadAsync(held, sentAt, stop);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            StepDown();
        }
    }

    /// <summary>One term: renews until the lock is lost, the deadline passes, or the agent stops.</summary>
    private async Task LeadAsync(VariableLock held, DateTimeOffset sentAt, CancellationToken stop)
    {
        var deadline = sentAt + _timing.Ttl - _timing.SafetyMargin;
        // The deadline timer belongs to the token itself, so the gate closes on time even if this loop is stuck in a
        // renew call that never answers.
        var term = new CancellationTokenSource(Positive(deadline - _time.GetUtcNow()), _time);
        lock (_sync)
        {
            _held = held;
            _term = term;
            _terms++;
        }

        _logger.Hclog(LogLevel.Information, "acquired lock, this agent is the leader and evaluates policies", ("lock_path", _lockPath));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, term.Token);
        var nextRenew = sentAt + _timing.RenewInterval;
        var backoff = _timing.InitialBackoff;
        try
        {
            while (true)
            {
                await WaitAsync(nextRenew, linked.Token);
                var renewSentAt = _time.GetUtcNow();
                bool stillOurs;
                try
                {
                    stillOurs = await _lock.RenewAsync(held, linked.Token);
                }
                catch (Exception ex) when (!linked.IsCancellationRequested)
                {
                    _logger.Hclog(LogLevel.Warning, "failed to renew lock, retrying", ("error", "locks: error renewing the lease: " + ex.Message),
                        ("retry_in", GoDuration.Format(backoff)), ("stops_at", deadline.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
                    nextRenew = _time.GetUtcNow() + backoff;
                    backoff = LeaderElectionTiming.Min(backoff * 2, _timing.RenewInterval);
                    continue;
                }

                if (!stillOurs)
                {
                    _logger.Hclog(LogLevel.Error, "lost lock, stopped evaluating policies", ("lock_path", _lockPath));
                    lock (_sync) _held = null;
                    return;
                }

                backoff = _timing.InitialBackoff;
                deadline = renewSentAt + _timing.Ttl - _timing.SafetyMargin;
                // A renew that answers after the deadline changes nothing: the term is over and stays over.
                term.CancelAfter(Positive(deadline - _time.GetUtcNow()));
                nextRenew = renewSentAt + _timing.RenewInterval;
            }
        }
        catch (Exception) when (term.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            _logger.Hclog(LogLevel.Error, "lock not renewed before its deadline, stopped evaluating policies; it expires on the server",
                ("lock_path", _lockPath), ("deadline", deadline.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
            // Not released: a scale still running in a plugin must not overlap the next leader's. The server's
            // timer frees the lock at least TTL + lock delay after this point.
            lock (_sync) _held = null;
        }
        finally
        {
            StepDown();
        }
    }

    private void StepDown()
    {
        CancellationTokenSource? term;
        lock (_sync)
        {
            term = _term;
            _term = null;
        }

        // Not disposed: a policy handler may be linking to its token right now; a cancelled source holds no timer.
        term?.Cancel();
    }

    private async Task WaitAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var delay = until - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        // A cancelled Task.Delay resumes on the thread pool; this wait ends on the thread that cancels, so a
        // single-threaded host (the scaling lab) keeps the election on its clock.
        var timer = InlineDelay.DelayAsync(delay, _time, cancellationToken);
        lock (_sync) _waitingUntil = until;
        try
        {
            await timer;
        }
        finally
        {
            lock (_sync) _waitingUntil = null;
        }
    }

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.FromTicks(1);
}
