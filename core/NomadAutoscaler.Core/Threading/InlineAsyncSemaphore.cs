namespace NomadAutoscaler.Core.Threading;

/// <summary>An async semaphore whose next holder runs on the thread that releases it. <c>SemaphoreSlim.WaitAsync</c>
/// resumes a contended waiter on the thread pool; in the scaling lab, which runs the agent on one thread in virtual
/// time, that waiter would go on beside the clock and a run would no longer repeat (soak seed 4 found it in the
/// cooldown store). Exit hands a slot over outside the internal monitor, so the next holder's code never runs under
/// it.</summary>
internal sealed class InlineAsyncSemaphore
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _available;

    /// <param name="slots">How many holders at once (1: a mutual-exclusion lock; 0: every wait waits for an Exit).</param>
    public InlineAsyncSemaphore(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slots);
        _available = slots;
    }

    /// <summary>Free slots.</summary>
    public int CurrentCount
    {
        get
        {
            lock (_gate) return _available;
        }
    }

    /// <summary>Waiters queued, cancelled ones included until they are passed over.</summary>
    internal int WaiterCount
    {
        get
        {
            lock (_gate) return _waiters.Count;
        }
    }

    /// <summary>Waits until this caller holds a slot. A cancelled wait never holds one; a wait that was granted in the
    /// same instant as its cancellation holds it and must exit.</summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_available > 0)
            {
                _available--;
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

    /// <summary>Gives a slot back: to the first waiter still waiting, else to the free slots.</summary>
    public void Exit()
    {
        while (true)
        {
            TaskCompletionSource? next;
            lock (_gate)
            {
                if (!_waiters.TryDequeue(out next))
                {
                    _available++;
                    return;
                }
            }

            // A waiter cancelled meanwhile refuses the grant; the slot passes to the one behind it.
            if (next.TrySetResult()) return;
        }
    }
}
