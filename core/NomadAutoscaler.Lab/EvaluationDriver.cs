using NomadAutoscaler.Core.Evaluation;

namespace NomadAutoscaler.Lab;

/// <summary>Schedules each policy handler on the virtual clock with the handler's own rule
/// (<see cref="PolicyHandler.NextAfter"/>), one evaluation at a time per policy, and reports each evaluation.</summary>
internal sealed class EvaluationDriver(VirtualClock clock, Action<PolicyHandler, EvaluationRecord, DateTimeOffset> evaluated) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Exception> _faults = [];
    private readonly List<ITimer> _timers = [];

    /// <summary>Evaluations that threw instead of returning a record: bugs, never expected errors.</summary>
    public IReadOnlyList<Exception> Faults => _faults;

    /// <summary>How far into its interval a policy's schedule runs: half of it. Workloads change on round instants
    /// and intervals divide them, so a schedule on the same instants would see every change at once (or, one
    /// timer earlier, a whole interval late). Half an interval is the expected delay for a change that comes at a
    /// random moment, which is what an agent in production sees.</summary>
    public static TimeSpan Phase(TimeSpan interval) => interval / 2;

    public void Start(PolicyHandler handler, TimeSpan firstOffset) =>
        Schedule(handler, clock.GetUtcNow() + handler.Policy.EvaluationInterval + firstOffset + Phase(handler.Policy.EvaluationInterval));

    public void Stop()
    {
        _stop.Cancel();
        foreach (var timer in _timers) timer.Dispose();
    }

    public void Dispose() => _stop.Dispose();

    private void Schedule(PolicyHandler handler, DateTimeOffset due)
    {
        if (_stop.IsCancellationRequested) return;
        ITimer? timer = null;
        timer = clock.CreateTimer(_ =>
        {
            _timers.Remove(timer!);
            timer!.Dispose();
            _ = EvaluateAsync(handler, due);
        }, null, due - clock.GetUtcNow(), Timeout.InfiniteTimeSpan);
        _timers.Add(timer);
    }

    private async Task EvaluateAsync(PolicyHandler handler, DateTimeOffset scheduled)
    {
        try
        {
            // Through the gate, as the agent's own loop: with HA only the lock holder evaluates.
            if (await handler.EvaluateIfLeaderAsync(scheduled, _stop.Token) is { } record) evaluated(handler, record, clock.GetUtcNow());
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            _faults.Add(ex);
        }

        Schedule(handler, PolicyHandler.NextAfter(scheduled, handler.Policy.EvaluationInterval, clock.GetUtcNow()));
    }
}
