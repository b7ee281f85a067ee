using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>The decision part of one evaluation: read the target, run the checks, cap and combine. It never scales;
/// <see cref="PolicyHandler"/> applies cooldown, queueing and the scale call.</summary>
internal sealed class PolicyEvaluator(IPluginDirectory plugins, TimeProvider time, ILogger logger)
{
    public const string GrpcTimeoutKey = ITargetClient.GrpcTimeoutKey;
    public const string MetaCapped = "nomad_autoscaler.count.capped";
    public const string MetaOriginal = "nomad_autoscaler.count.original";
    public const string MetaReasonHistory = "nomad_autoscaler.reason_history";

    public sealed record Decision(TargetStatus? Status, ScalingAction? Action, IReadOnlyList<CheckOutcome> Checks, EvaluationOutcome? EarlyOutcome, string? Error);

    /// <summary>The target config as sent to the plugin: the policy's keys plus the status deadline.</summary>
    public static IReadOnlyDictionary<string, string> TargetConfigFor(ScalingPolicy policy)
    {
        var config = new Dictionary<string, string>(policy.Target.Config)
        {
            [GrpcTimeoutKey] = GoDuration.Format(policy.EvaluationInterval * 0.75),
        };
        return config;
    }

    public async Task<Decision> DecideAsync(ScalingPolicy policy, IReadOnlyDictionary<string, string> targetConfig, CancellationToken cancellationToken)
    {
        var target = plugins.FindTarget(policy.Target.Name);
        if (target is null)
            return new Decision(null, null, [], EvaluationOutcome.Error, $"target plugin \"{policy.Target.Name}\" is not loaded");

        TargetStatus? status;
        try
        {
            status = await target.StatusAsync(targetConfig, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new Decision(null, null, [], EvaluationOutcome.Error, $"failed to get target status for target: {policy.Target.Name}, {ex.Message}");
        }

        if (status is null)
            return new Decision(null, null, [], EvaluationOutcome.Error, "target not found");
        if (!status.Ready)
            return new Decision(status, null, [], EvaluationOutcome.TargetNotReady, null);

        var now = time.GetUtcNow();
        var outcomes = new List<CheckOutcome>();
        var results = new List<(string Group, ScalingAction Action)>();
        var cache = new Dictionary<(string, string, TimeSpan, TimeSpan, bool), Task<IReadOnlyList<MetricPoint>>>();

        foreach (var check in policy.Checks)
        {
            if (check.Schedule is { } schedule && !schedule.IsActive(now))
            {
                outcomes.Add(new CheckOutcome(check.Name, null, 0, null, null, Skipped: true));
                continue;
            }

            var (action, outcome, abort) = await RunCheckAsync(policy, check, status.Count, now, cache, cancellationToken);
            outcomes.Add(outcome);
            if (abort)
                return new Decision(status, null, outcomes, EvaluationOutcome.Error, $"failed to run check {check.Name}: {outcome.Error}");
            if (action is not null) results.Add((check.Group, action));
        }

        var winner = CheckCombiner.PickWinner(results);
        return new Decision(status, BringIntoRange(policy, status.Count, winner), outcomes, null, null);
    }

    /// <summary>A count outside [min, max] is corrected even when no check asks for a change (or every check
    /// failed), so a pool below its minimum grows to it. Upstream 0.4.8+ dropped this legacy rule.</summary>
    private static ScalingAction? BringIntoRange(ScalingPolicy policy, long current, ScalingAction? winner)
    {
        var wantsChange = winner is { Direction: not ScalingDirection.None } && winner.Count != current;
        if (wantsChange) return winner;
        if (current < policy.Min)
            return new ScalingAction(policy.Min, ScalingDirection.Up, $"current count ({current}) below limit ({policy.Min})");
        if (current > policy.Max)
            return new ScalingAction(policy.Max, ScalingDirection.Down, $"current count ({current}) above limit ({policy.Max})");
        return winner;
    }

    private async Task<(ScalingAction? Action, CheckOutcome Outcome, bool Abort)> RunCheckAsync(
        ScalingPolicy policy,
        PolicyCheckSpec check,
        long currentCount,
        DateTimeOffset now,
        Dictionary<(string, string, TimeSpan, TimeSpan, bool), Task<IReadOnlyList<MetricPoint>>> cache,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<MetricPoint> metrics = [];
        try
        {
            if (check.NeedsMetrics)
            {
                var apm = plugins.FindApm(check.Source)
                    ?? throw new InvalidOperationException($"apm plugin \"{check.Source}\" not initialized");
                var to = now - check.QueryWindowOffset;
                var from = check.QueryInstant ? to : to - check.QueryWindow;
                var key = (check.Source, check.Query, check.QueryWindow, check.QueryWindowOffset, check.QueryInstant);
                if (!cache.TryGetValue(key, out var query))
                {
                    query = WithinDeadlineAsync(ct => apm.QueryAsync(new ApmQuery(check.Query, from, to), ct), CallDeadline(policy), $"apm plugin \"{check.Source}\"", cancellationToken);
                    cache[key] = query;
                }

                try
                {
                    metrics = await query;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    throw new CheckFailedException("failed to query source: " + ex.Message, ex);
                }

                if (metrics.Count == 0) throw new CheckFailedException("failed to query source: no metrics available");
                metrics = [.. metrics.OrderBy(m => m.Timestamp)];
            }

            var strategy = plugins.FindStrategy(check.StrategyName)
                ?? throw new InvalidOperationException($"strategy plugin \"{check.StrategyName}\" not initialized");
            var request = new StrategyRequest(
                new PolicyCheck(check.Name, check.Source, check.Query, check.QueryWindow,
                    new StrategyConfig(check.StrategyName, new PluginSettings(check.StrategyConfig))),
                metrics,
                currentCount);
            var action = await WithinDeadlineAsync(ct => strategy.RunAsync(request, ct), CallDeadline(policy), $"strategy plugin \"{check.StrategyName}\"", cancellationToken);
            var capped = Cap(policy, action);
            return (capped, new CheckOutcome(check.Name, metrics.Count > 0 ? metrics[^1].Value : null, metrics.Count, capped, null), false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = ex.Message;
            var onError = check.OnError;
            var fail = onError == "fail" || (onError != "ignore" && policy.OnCheckError == "fail");
            logger.Hclog(LogLevel.Warning, "failed to run check", ("check", check.Name), ("on_error", onError), ("on_check_error", policy.OnCheckError), ("error", message));
            // An ignored failure casts no vote at all, so it cannot veto another check's scale-down (upstream
            // turned it into a "none" vote, which did).
            return (null, new CheckOutcome(check.Name, null, metrics.Count, null, message), fail);
        }
    }

    /// <summary>How long an APM query or a strategy run may take: the share of the interval the target status call
    /// gets too, so one hung plugin costs its policy one evaluation, not every one after it.</summary>
    internal static TimeSpan CallDeadline(ScalingPolicy policy) => policy.EvaluationInterval * 0.75;

    /// <summary>Runs a plugin call that must answer within <paramref name="deadline"/>; past it the call is cancelled
    /// (out of process, the gRPC call ends) and the evaluation goes on without waiting for the plugin to agree.</summary>
    private async Task<T> WithinDeadlineAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan deadline, string plugin, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A timer of the injected clock and a completion that runs where it fires, rather than Task.WaitAsync: a
        // cancelled wait resumes on the thread pool, which the scaling lab's one-threaded virtual time must not see.
        var expired = new TaskCompletionSource();
        Task<T> task;
        using (time.CreateTimer(static e => ((TaskCompletionSource)e!).TrySetResult(), expired, deadline, Timeout.InfiniteTimeSpan))
        {
            task = call(cancel.Token);
            if (await Task.WhenAny(task, expired.Task) == task) return await task;
        }

        cancel.Cancel();
        // The abandoned call's outcome is of no interest any more, but must not go unobserved.
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"{plugin} did not answer within {GoDuration.Format(deadline)}");
    }

    internal static ScalingAction Cap(ScalingPolicy policy, ScalingAction action)
    {
        if (action.Direction == ScalingDirection.None) return action;
        var capped = Math.Clamp(action.Count, policy.Min, policy.Max);
        if (capped == action.Count) return action;

        var meta = new Dictionary<string, object?>(action.Meta)
        {
            [MetaCapped] = true,
            [MetaOriginal] = action.Count.ToString(CultureInfo.InvariantCulture),
            [MetaReasonHistory] = new[] { action.Reason },
        };
        return action with
        {
            Count = capped,
            Reason = $"capped count from {action.Count} to {capped} to stay within limits",
            Meta = meta,
        };
    }

    private sealed class CheckFailedException(string message, Exception? inner = null) : Exception(message, inner);
}
