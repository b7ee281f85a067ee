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

    public void Start(PolicyHandler handler, TimeSpan firstOffset) =>
        Schedule(handler, clock.GetUtcNow() + handler.Policy.EvaluationInterval + firstOffset);

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
            var record = await handler.EvaluateAsync(scheduled, _stop.Token);
            evaluated(handler, record, clock.GetUtcNow());
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
