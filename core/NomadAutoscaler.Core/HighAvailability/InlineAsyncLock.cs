namespace NomadAutoscaler.Core.HighAvailability;

/// <summary>A mutual-exclusion lock for async code whose next holder runs on the thread that releases it.
/// <c>SemaphoreSlim.WaitAsync</c> resumes a contended waiter on the thread pool; in the scaling lab, which runs the
/// agent on one thread in virtual time, that waiter would go on beside the clock and a run would no longer
/// repeat. Release hands ownership over outside the internal monitor, so the next holder's code never runs under
/// it.</summary>
internal sealed class InlineAsyncLock
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private bool _held;

    /// <summary>Waits until this caller holds the lock. A cancelled wait never holds it; a wait that was granted
    /// in the same instant as its cancellation holds it and must exit.</summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            // No RunContinuationsAsynchronously: the grant continues this method inside Exit, on its thread.
            waiter = new TaskCompletionSource();
            _waiters.Enqueue(waiter);
        }

        using (cancellationToken.UnsafeRegister(static (w, token) => ((TaskCompletionSource)w!).TrySetCanceled(token), waiter))
            await waiter.Task.ConfigureAwait(false);
    }

    /// <summary>Waiters queued behind the holder, cancelled ones included until they are passed over.</summary>
    internal int WaiterCount
    {
        get
        {
            lock (_gate) return _waiters.Count;
        }
    }

    public void Exit()
    {
        while (true)
        {
            TaskCompletionSource? next;
            lock (_gate)
            {
                if (!_waiters.TryDequeue(out next))
                {
                    _held = false;
                    return;
                }
            }

            // A waiter cancelled meanwhile refuses the grant; ownership passes to the one behind it.
            if (next.TrySetResult()) return;
        }
    }
}
