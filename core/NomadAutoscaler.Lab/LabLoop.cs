namespace NomadAutoscaler.Lab;

/// <summary>Runs the lab on one thread: every continuation the engine, the plugins and the simulator post comes back
/// to this loop's queue, and the clock moves only once that queue is empty. That is what makes a simulated day
/// repeat byte for byte, and cost seconds rather than a day.</summary>
internal sealed class LabLoop : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Lock _lock = new();
    private int _threadId;
    private int _foreignPosts;

    public LabLoop(VirtualClock clock) => Clock = clock;

    public VirtualClock Clock { get; }

    /// <summary>Continuations that arrived from another thread: work escaped to the thread pool, so the run may not
    /// repeat exactly. The lab reports it rather than hide it.</summary>
    public int ForeignPosts => Volatile.Read(ref _foreignPosts);

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (Environment.CurrentManagedThreadId != _threadId) Interlocked.Increment(ref _foreignPosts);
        lock (_lock) _queue.Enqueue((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("the lab loop only runs work on its own thread");
        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="body"/> on a new thread with this loop as its context, then fires timers in order
    /// until <paramref name="end"/>, draining the queue after each. Exceptions of the body surface here.</summary>
    public T Run<T>(Func<Task<T>> setup, DateTimeOffset end, Action<DateTimeOffset>? afterEachStep = null)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            _threadId = Environment.CurrentManagedThreadId;
            SetSynchronizationContext(this);
            try
            {
                var task = setup();
                Drain();
                if (!task.IsCompleted)
                    throw new InvalidOperationException("the lab's set-up waited for something that never comes in virtual time");
                result = task.GetAwaiter().GetResult();
                while (Clock.FireNext(end))
                {
                    Drain();
                    afterEachStep?.Invoke(Clock.GetUtcNow());
                }

                Drain();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                SetSynchronizationContext(null);
            }
        }, maxStackSize: 16 * 1024 * 1024)
        {
            Name = "scaling-lab",
            IsBackground = true,
        };
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return result;
    }

    /// <summary>Runs queued work until none is left; work may queue more.</summary>
    public void Drain()
    {
        while (true)
        {
            (SendOrPostCallback Callback, object? State) item;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out item)) return;
            }

            item.Callback(item.State);
        }
    }
}
