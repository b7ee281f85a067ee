namespace NomadAutoscaler.Nomad.Internal;

/// <summary>Waits whose cancellation ends them on the thread that cancels. A cancelled <c>Task.Delay</c> or
/// <c>Task.WaitAsync</c> resumes its awaiter on the thread pool; a host that runs agent and plugins on one thread in
/// virtual time (the scaling lab) would then see the rest of the call run beside its clock, and a run would no longer
/// repeat. Nothing here holds a lock while cancelling, so running the continuation inside Cancel is safe.</summary>
internal static class InlineDelay
{
    /// <summary>As <c>Task.Delay(delay, time, cancellationToken)</c>; <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// for the cancellation alone.</summary>
    public static Task DelayAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        if (delay != Timeout.InfiniteTimeSpan && delay <= TimeSpan.Zero) return Task.CompletedTask;
        return new Wait(delay, time, cancellationToken).Task;
    }

    /// <summary>As <c>task.WaitAsync(cancellationToken)</c>.</summary>
    public static async Task WaitAsync(Task task, CancellationToken cancellationToken)
    {
        if (task.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            await task.ConfigureAwait(false);
            return;
        }

        var cancelled = DelayAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        if (await Task.WhenAny(task, cancelled).ConfigureAwait(false) == task)
        {
            await task.ConfigureAwait(false);
            return;
        }

        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        throw new OperationCanceledException(cancellationToken);
    }

    private sealed class Wait : TaskCompletionSource
    {
        private readonly ITimer? _timer;
        private readonly CancellationTokenRegistration _registration;

        public Wait(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
        {
            if (delay != Timeout.InfiniteTimeSpan)
                _timer = time.CreateTimer(static w => ((Wait)w!).Finish(null), this, delay, Timeout.InfiniteTimeSpan);
            _registration = cancellationToken.UnsafeRegister(static (w, token) => ((Wait)w!).Finish(token), this);
            // The timer may have fired before the registration existed.
            if (Task.IsCompleted) _registration.Dispose();
        }

        private void Finish(CancellationToken? cancelled)
        {
            if (!(cancelled is { } token ? TrySetCanceled(token) : TrySetResult())) return;
            _timer?.Dispose();
            _registration.Dispose();
        }
    }
}
