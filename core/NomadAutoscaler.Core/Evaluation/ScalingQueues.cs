using NomadAutoscaler.Core.Threading;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>Limits how many targets of each policy type scale at once (<c>policy_eval.workers</c>).</summary>
internal sealed class ScalingQueues(IReadOnlyDictionary<string, int> workers, TimeProvider time)
{
    public static readonly TimeSpan SlotWaitLimit = TimeSpan.FromMinutes(2);

    // Inline hand-over: a scale that waited for a slot goes on on the thread that freed it, so the lab's single thread
    // keeps every scale (a SemaphoreSlim waiter would resume on the thread pool).
    private readonly Dictionary<string, InlineAsyncSemaphore> _slots = workers.ToDictionary(w => w.Key, w => new InlineAsyncSemaphore(Math.Max(w.Value, 0)));
    private readonly Lock _lock = new();

    /// <summary>Slots in use per queue, for the <c>policy.queue.*</c> gauges.</summary>
    public IReadOnlyDictionary<string, int> InUse
    {
        get
        {
            lock (_lock)
                return _slots.ToDictionary(s => s.Key, s => workers.GetValueOrDefault(s.Key) - s.Value.CurrentCount);
        }
    }

    /// <summary>Waits for a slot of the policy type's queue; the returned handle releases it.</summary>
    public async Task<IDisposable> AcquireAsync(string queue, CancellationToken cancellationToken)
    {
        InlineAsyncSemaphore? slot;
        lock (_lock)
        {
            if (!_slots.TryGetValue(queue, out slot))
            {
                // Types without a configured worker count get one slot, so unknown types cannot starve others.
                slot = new InlineAsyncSemaphore(1);
                _slots[queue] = slot;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = time.CreateTimer(_ => timeout.Cancel(), null, SlotWaitLimit, Timeout.InfiniteTimeSpan);
        try
        {
            await slot.EnterAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("timeout waiting for execution time: timeout while waiting for slot");
        }

        return new Release(slot);
    }

    private sealed class Release(InlineAsyncSemaphore slot) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slot.Exit();
        }
    }
}
