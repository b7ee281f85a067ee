namespace NomadAutoscaler.Lab;

/// <summary>Runs the lab on one thread. There is deliberately no SynchronizationContext: with none, every
/// continuation of a task completed on this thread (a virtual timer firing, a simulator response) runs inline here,
/// including the library code that awaits with ConfigureAwait(false). Work that must not run inline (the simulator
/// waking blocked readers after a write) is queued here with <see cref="Post"/>. The clock moves only once that queue
/// is empty, which is what makes a simulated day repeat byte for byte, and cost seconds rather than a day.</summary>
internal sealed class LabLoop(VirtualClock clock)
{
    private readonly Queue<Action> _queue = new();
    private readonly Lock _lock = new();

    public VirtualClock Clock { get; } = clock;

    /// <summary>Queues <paramref name="work"/> to run on the loop before the clock moves again.</summary>
    public void Post(Action work)
    {
        lock (_lock) _queue.Enqueue(work);
    }

    /// <summary>Runs <paramref name="setup"/> on a new thread, then fires timers in order until <paramref name="end"/>,
    /// draining the queue after each. Exceptions surface here.</summary>
    public T Run<T>(Func<Task<T>> setup, DateTimeOffset end)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            Clock.Owner = Environment.CurrentManagedThreadId;
            try
            {
                var task = setup();
                Drain();
                if (!task.IsCompleted)
                    throw new InvalidOperationException("the lab's set-up waited for something that never comes in virtual time");
                result = task.GetAwaiter().GetResult();
                while (Clock.FireNext(end)) Drain();
                Drain();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }, maxStackSize: 64 * 1024 * 1024)
        {
            Name = "scaling-lab",
            IsBackground = true,
        };
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return result;
    }

    private void Drain()
    {
        while (true)
        {
            Action work;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out work!)) return;
            }

            work();
        }
    }
}
