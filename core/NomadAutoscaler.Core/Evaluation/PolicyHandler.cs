using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Nomad.Internal;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>Runs one policy: evaluates it every interval, one evaluation at a time, and scales its target when the
/// decision asks for it and the cooldown allows it.</summary>
internal sealed class PolicyHandler : IAsyncDisposable
{
    public const int HistorySize = 20;
    public const string MetaPolicyId = "nomad_policy_id";
    public const string MetaDryRun = "nomad_autoscaler.dry_run";
    public const string MetaDryRunCount = "nomad_autoscaler.dry_run.count";

    private static readonly IReadOnlyDictionary<string, object?> NoMeta = new Dictionary<string, object?>();

    private readonly IPluginDirectory _plugins;
    private readonly ScalingQueues _queues;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _workerLogger;
    private readonly AutoscalerMetrics _metrics;
    private readonly PolicyEvaluator _evaluator;
    private readonly IEvaluationGate _gate;
    // The HA term of the evaluation under way (none without HA): the scale it starts ends with it.
    private CancellationToken _term;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly LinkedList<EvaluationRecord> _history = new();
    private readonly IDecisionJournal? _journal;
    private List<ScalingDecision> _decisions = [];
    private CancellationTokenSource _wake = new();
    private ScalingPolicy _policy;
    private Task? _loop;
    private DateTimeOffset _cooldownUntil = DateTimeOffset.MinValue;
    private DateTimeOffset? _nextEvaluation;
    private long _lastEventSeen;
    private CancellationToken _cooldownInheritedFor;

    public PolicyHandler(ScalingPolicy policy, IPluginDirectory plugins, ScalingQueues queues, TimeProvider time, ILoggerFactory loggers, AutoscalerMetrics metrics,
        IEvaluationGate? gate = null, IDecisionJournal? journal = null)
    {
        _gate = gate ?? OpenEvaluationGate.Instance;
        _journal = journal;
        _policy = policy;
        _plugins = plugins;
        _queues = queues;
        _time = time;
        _metrics = metrics;
        _logger = loggers.CreateLogger("policy_manager.policy_handler");
        _workerLogger = loggers.CreateLogger("policy_eval.worker");
        _evaluator = new PolicyEvaluator(plugins, time, _logger);
    }

    public ScalingPolicy Policy
    {
        get
        {
            lock (_lock) return _policy;
        }
    }

    public DateTimeOffset CooldownUntil
    {
        get
        {
            lock (_lock) return _cooldownUntil;
        }
    }

    public DateTimeOffset? NextEvaluation
    {
        get
        {
            lock (_lock) return _nextEvaluation;
        }
    }

    /// <summary>The most recent evaluations, newest first.</summary>
    public IReadOnlyList<EvaluationRecord> History
    {
        get
        {
            lock (_lock) return [.. _history];
        }
    }

    /// <summary>The scaling actions carried out (no-ops left out), newest first: this run's, and those recorded in
    /// Nomad by earlier runs or other agents (read once at start).</summary>
    public IReadOnlyList<ScalingDecision> Decisions
    {
        get
        {
            lock (_lock) return _decisions;
        }
    }

    /// <summary>Starts the evaluation loop; the first evaluation is one interval plus <paramref name="firstOffset"/> away.</summary>
    public void Start(TimeSpan firstOffset = default) => _loop ??= Task.Run(() => RunAsync(firstOffset, _stop.Token));

    /// <summary>Replaces the policy; a changed interval takes effect at once.</summary>
    public void Update(ScalingPolicy policy)
    {
        CancellationTokenSource wake;
        lock (_lock)
        {
            var intervalChanged = policy.EvaluationInterval != _policy.EvaluationInterval;
            _policy = policy;
            if (!intervalChanged) return;
            wake = _wake;
            _wake = new CancellationTokenSource();
        }

        wake.Cancel();
        wake.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _metrics.Decisions.Forget(Policy.Id);
        _metrics.TargetCounters.Forget(Policy.Id);
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(TimeSpan firstOffset, CancellationToken cancellationToken)
    {
        // The first evaluation is one interval after start, as upstream (plus the manager's spread of a bulk load).
        var next = _time.GetUtcNow() + Policy.EvaluationInterval + firstOffset;
        await RestoreDecisionsAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            CancellationToken wakeToken;
            lock (_lock) wakeToken = _wake.Token;

            var delay = next - _time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wakeToken);
                try
                {
                    var tick = Task.Delay(delay, _time, linked.Token);
                    // Published only once the timer exists, so an observer that sees it can move time safely.
                    lock (_lock) _nextEvaluation = next;
                    await tick;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The interval changed: reschedule from now with the new interval.
                    next = _time.GetUtcNow() + Policy.EvaluationInterval;
                    continue;
                }
            }

            var scheduled = next;
            await EvaluateIfLeaderAsync(scheduled, cancellationToken);
            next = NextAfter(scheduled, Policy.EvaluationInterval, _time.GetUtcNow());
        }
    }

    /// <summary>When the evaluation after one scheduled at <paramref name="scheduled"/> is due, once it has finished
    /// at <paramref name="now"/>. Missed ticks (a long scale, a slow plugin) are dropped, never run back to back.
    /// The scaling lab's virtual-time driver schedules with this same rule.</summary>
    public static DateTimeOffset NextAfter(DateTimeOffset scheduled, TimeSpan interval, DateTimeOffset now)
    {
        var next = scheduled + interval;
        return next <= now ? now + interval : next;
    }

    /// <summary>A standby keeps its schedule but does not evaluate. A leader's evaluation runs under its term, so
    /// losing the lock cancels it rather than letting it finish. Null when nothing was evaluated. The scaling lab's
    /// driver evaluates through here too, so its agents obey the lock as the agent does.</summary>
    internal async Task<EvaluationRecord?> EvaluateIfLeaderAsync(DateTimeOffset scheduled, CancellationToken cancellationToken)
    {
        if (!_gate.TryEnter(out var term))
        {
            _logger.Hclog(LogLevel.Trace, "not the leader, skipping evaluation", ("policy_id", Policy.Id));
            return null;
        }

        if (!term.CanBeCanceled) return await EvaluateAsync(scheduled, cancellationToken);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, term);
        try
        {
            if (!await InheritCooldownAsync(term, linked.Token)) return null;
            _term = term;
            return await EvaluateAsync(scheduled, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && term.IsCancellationRequested)
        {
            _logger.Hclog(LogLevel.Warning, "leadership ended during evaluation, evaluation abandoned", ("policy_id", Policy.Id));
            return null;
        }
        finally
        {
            _term = CancellationToken.None;
        }
    }

    /// <summary>Once per term, before its first evaluation: takes over the cooldown the previous leader recorded. If
    /// that cannot be read the evaluation is skipped (and retried next tick) rather than risk scaling inside it.</summary>
    private async Task<bool> InheritCooldownAsync(CancellationToken term, CancellationToken cancellationToken)
    {
        if (_gate.Cooldowns is not { } store || term == _cooldownInheritedFor) return true;
        var policy = Policy;
        try
        {
            if (await store.GetAsync(policy.Id, term, cancellationToken) is { } until)
            {
                SetCooldown(until);
                _logger.Hclog(LogLevel.Debug, "inherited cooldown from the previous leader", ("policy_id", policy.Id),
                    ("until", until.ToString("O", CultureInfo.InvariantCulture)));
            }

            _cooldownInheritedFor = term;
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.Hclog(LogLevel.Error, "failed to read the cooldown state, skipping evaluation", ("policy_id", policy.Id), ("error", ex.Message));
            return false;
        }
    }

    /// <summary>Records a new cooldown deadline for the next leader. A failure is logged, not fatal: the scale
    /// already happened, and the target's own last event may still carry it.</summary>
    private async Task RecordCooldownAsync(ScalingPolicy policy)
    {
        if (_gate.Cooldowns is not { } store) return;
        try
        {
            await store.RecordAsync(policy.Id, CooldownUntil, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.Hclog(LogLevel.Warning, "failed to record the cooldown state for the next leader", ("policy_id", policy.Id), ("error", ex.Message));
        }
    }

    internal async Task<EvaluationRecord> EvaluateAsync(DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var policy = Policy;
        var started = _time.GetUtcNow();
        _metrics.Lateness.Record((started - scheduledAt).TotalMilliseconds);
        var record = new EvaluationRecord { ScheduledAt = scheduledAt, StartedAt = started };
        // Plugin call timers read their policy_id/target_name labels from here, as upstream labels its plugin timers.
        using var callContext = PluginCallContext.Begin(policy.Id, policy.Target.Name);
        try
        {
            record = await EvaluateCoreAsync(policy, record, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            record = record with { Outcome = EvaluationOutcome.Cancelled };
            throw;
        }
        catch (Exception ex)
        {
            _logger.Hclog(LogLevel.Error, "failed to evaluate policy", ("policy_id", policy.Id), ("error", ex.Message));
            record = record with { Outcome = EvaluationOutcome.Error, Error = ex.Message };
        }
        finally
        {
            Remember(record with { FinishedAt = _time.GetUtcNow() });
            _metrics.Decisions.Record(policy, record);
        }

        return record;
    }

    private async Task<EvaluationRecord> EvaluateCoreAsync(ScalingPolicy policy, EvaluationRecord record, CancellationToken cancellationToken)
    {
        var now = record.StartedAt;
        if (policy.Schedule is { } schedule && !schedule.IsActive(now))
        {
            _logger.Hclog(LogLevel.Information, "skipping evaluation, outside schedule window", ("policy_id", policy.Id));
            return record with { Outcome = EvaluationOutcome.OutsideSchedule };
        }

        var targetConfig = PolicyEvaluator.TargetConfigFor(policy);
        var watch = Stopwatch.StartNew();
        var decision = await _evaluator.DecideAsync(policy, targetConfig, cancellationToken);
        _metrics.EvaluateMs.Record(watch.Elapsed.TotalMilliseconds, Tags(policy));
        record = record with { CurrentCount = decision.Status?.Count, Checks = decision.Checks, Action = decision.Action };

        if (decision.Status is { } status)
        {
            ObserveLastEvent(policy, status);
            _metrics.TargetCounters.Relay(policy, status.Meta, _logger);
            if (status.Meta.TryGetValue(TargetStatusMeta.Notice, out var notice) && !string.IsNullOrEmpty(notice))
            {
                _logger.Hclog(LogLevel.Warning, "target reported while reading its status", ("policy_id", policy.Id), ("target", policy.Target.Name), ("notice", notice));
                record = record with { Notice = notice };
            }
        }

        switch (decision.EarlyOutcome)
        {
            case EvaluationOutcome.TargetNotReady:
                _logger.Hclog(LogLevel.Debug, "skipping evaluation, target not ready", ("policy_id", policy.Id));
                return record with { Outcome = EvaluationOutcome.TargetNotReady };
            case EvaluationOutcome.Error:
                _logger.Hclog(LogLevel.Error, "failed to evaluate policy", ("policy_id", policy.Id), ("error", decision.Error));
                return record with { Outcome = EvaluationOutcome.Error, Error = decision.Error };
        }

        var current = decision.Status!.Count;
        var action = decision.Action;
        if (action is null || action.Direction == ScalingDirection.None || action.Count == current)
        {
            _logger.Hclog(LogLevel.Information, "calculating scaling target", ("policy_id", policy.Id), ("from", current), ("to", action is { Direction: not ScalingDirection.None } ? action.Count : current), ("reason", action?.Reason ?? ""), ("meta", action?.Meta ?? NoMeta));
            _logger.Hclog(LogLevel.Information, "skipping scaling, no action needed", ("policy_id", policy.Id));
            return record with { Outcome = EvaluationOutcome.NoAction };
        }

        _logger.Hclog(LogLevel.Information, "calculating scaling target", ("policy_id", policy.Id), ("from", current), ("to", action.Count), ("reason", action.Reason), ("meta", action.Meta));

        var cooldownUntil = CooldownUntil;
        if (now < cooldownUntil)
        {
            _logger.Hclog(LogLevel.Information, "skipping scaling, policy still on cooldown", ("policy_id", policy.Id), ("remaining", GoDuration.Format(TimeSpan.FromSeconds(Math.Ceiling((cooldownUntil - now).TotalSeconds)))));
            return record with { Outcome = EvaluationOutcome.Cooldown };
        }

        var meta = new Dictionary<string, object?>(action.Meta) { [MetaPolicyId] = policy.Id };
        action = action with { Meta = meta };

        if (policy.Target.DryRun)
        {
            // Unlike upstream, a dry run never calls the target: a count of -1 reaching a cloud target is a risk
            // with no benefit, and the log line below is the whole point of a dry run.
            meta[MetaDryRun] = true;
            meta[MetaDryRunCount] = action.Count;
            _logger.Hclog(LogLevel.Information, "scaling dry-run is enabled, using no-op task group count", ("policy_id", policy.Id), ("from", current), ("to", action.Count), ("reason", action.Reason));
            SetCooldown(now + policy.Cooldown);
            return record with { Outcome = EvaluationOutcome.DryRun, Action = action };
        }

        return await ScaleAsync(policy, record, action, current, targetConfig, cancellationToken);
    }

    private async Task<EvaluationRecord> ScaleAsync(ScalingPolicy policy, EvaluationRecord record, ScalingAction action, long current,
        IReadOnlyDictionary<string, string> targetConfig, CancellationToken cancellationToken)
    {
        var target = _plugins.FindTarget(policy.Target.Name)!;
        using var slot = await _queues.AcquireAsync(policy.Type, cancellationToken);
        var workerId = Guid.NewGuid().ToString();
        _workerLogger.Hclog(LogLevel.Information, "scaling target", ("id", workerId), ("policy_id", policy.Id), ("queue", policy.Type), ("target", policy.Target.Name), ("from", current), ("to", action.Count), ("reason", action.Reason), ("meta", action.Meta));

        var watch = Stopwatch.StartNew();
        ScaleOutcome outcome;
        try
        {
            // A scale in flight is not cancelled by shutdown: a half-done drain or server create is worse than a
            // slower exit. The plugin's own action timeout bounds it. It is cancelled when this agent's HA term ends:
            // a drain can outlast the lock, and a deposed leader that went on to delete servers would act beside the
            // next one (the fault soak's one-agent-acts). The plugin stops at its next step; what it leaves (a node
            // ineligible or draining) is the next leader's drain hygiene to give back.
            var scaling = target.ScaleAsync(action, targetConfig, _term);
            // Not Task.WaitAsync: its cancellation resumes on the thread pool, off a single-threaded host's clock.
            await InlineDelay.WaitAsync(scaling, cancellationToken);
            outcome = await scaling;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _workerLogger.Hclog(LogLevel.Warning, "agent stopping while target is scaling; the scale continues in the plugin",
                ("id", workerId), ("policy_id", policy.Id), ("target", policy.Target.Name), ("to", action.Count));
            throw;
        }
        catch (Exception ex)
        {
            _metrics.InvokeError.Add(1, Tags(policy, withPlugin: true));
            _workerLogger.Hclog(LogLevel.Error, "unable to scale target", ("id", workerId), ("policy_id", policy.Id), ("reason", "failed to get scale target: " + ex.Message));
            return record with { Outcome = EvaluationOutcome.Error, Error = ex.Message };
        }
        finally
        {
            _metrics.InvokeMs.Record(watch.Elapsed.TotalMilliseconds, Tags(policy));
        }

        if (outcome.IsNoOp)
        {
            _workerLogger.Hclog(LogLevel.Information, "target reported no scaling needed", ("id", workerId), ("policy_id", policy.Id), ("reason", outcome.Reason ?? ""));
            return record with { Outcome = EvaluationOutcome.TargetNoOp, Reason = outcome.Reason };
        }

        _metrics.InvokeSuccess.Add(1, Tags(policy, withPlugin: true));
        var cooldown = action.Direction == ScalingDirection.Up ? policy.CooldownOnScaleUp : policy.Cooldown;
        SetCooldown(_time.GetUtcNow() + cooldown);
        await RecordCooldownAsync(policy);
        await RecordDecisionAsync(policy, new ScalingDecision(_time.GetUtcNow(), current, action.Count, action.Reason));
        _workerLogger.Hclog(LogLevel.Information, "successfully submitted scaling action to target", ("id", workerId), ("policy_id", policy.Id), ("desired_count", action.Count));
        return record with { Outcome = EvaluationOutcome.Scaled };
    }

    /// <summary>Applies the cooldown from the target's last scaling event, so a restarted agent (or a new HA
    /// leader) does not scale inside a cooldown that another run started.</summary>
    private void ObserveLastEvent(ScalingPolicy policy, TargetStatus status)
    {
        if (!status.Meta.TryGetValue(TargetStatusMeta.LastEvent, out var text)
            || !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nanos)
            || nanos <= _lastEventSeen)
        {
            return;
        }

        _lastEventSeen = nanos;
        var lastEvent = DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
        // The direction of that event is unknown, so the longer of the two cooldowns applies.
        var cooldown = policy.Cooldown > policy.CooldownOnScaleUp ? policy.Cooldown : policy.CooldownOnScaleUp;
        SetCooldown(lastEvent + cooldown);
    }

    private void SetCooldown(DateTimeOffset until)
    {
        lock (_lock)
        {
            if (until > _cooldownUntil) _cooldownUntil = until;
        }
    }

    private async Task RestoreDecisionsAsync(CancellationToken cancellationToken)
    {
        if (_journal is null) return;
        var policy = Policy;
        try
        {
            var restored = await _journal.ReadAsync(policy, cancellationToken);
            lock (_lock)
            {
                // Anything this run already decided is newer than what the journal held when it was read.
                var oldest = _decisions.Count > 0 ? _decisions[^1].Time : DateTimeOffset.MaxValue;
                _decisions = [.. _decisions, .. restored.Where(d => d.Time < oldest).Take(HistorySize - _decisions.Count)];
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.Hclog(LogLevel.Warning, "failed to read the recorded scaling decisions", ("policy_id", policy.Id), ("error", ex.Message));
        }
    }

    private async Task RecordDecisionAsync(ScalingPolicy policy, ScalingDecision decision)
    {
        List<ScalingDecision> snapshot;
        lock (_lock)
        {
            _decisions = [decision, .. _decisions.Take(HistorySize - 1)];
            snapshot = _decisions;
        }

        if (_journal is null) return;
        try
        {
            // As the cooldown record: once the target accepted the action, recording it is not cut short by a stop.
            await _journal.RecordAsync(policy, snapshot, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.Hclog(LogLevel.Warning, "failed to record the scaling decision", ("policy_id", policy.Id), ("error", ex.Message));
        }
    }

    private void Remember(EvaluationRecord record)
    {
        lock (_lock)
        {
            _history.AddFirst(record);
            while (_history.Count > HistorySize) _history.RemoveLast();
        }
    }

    private static TagList Tags(ScalingPolicy policy, bool withPlugin = false)
    {
        var tags = new TagList { { "policy_id", policy.Id }, { "target_name", policy.Target.Name } };
        if (withPlugin) tags.Add("plugin_name", policy.Target.Name);
        return tags;
    }
}
