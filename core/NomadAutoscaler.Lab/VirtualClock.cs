namespace NomadAutoscaler.Lab;

/// <summary>A clock that moves only when the lab moves it. Timers wait in one queue ordered by due time and then by
/// the order they were set, so the same run fires them in the same order every time; each fires on the lab's own
/// thread, and the work it starts runs to its next wait before the clock moves again.</summary>
internal sealed class VirtualClock : TimeProvider
{
    private readonly PriorityQueue<VirtualTimer, (DateTimeOffset Due, long Sequence)> _queue = new();
    private readonly Lock _lock = new();
    private DateTimeOffset _now;
    private long _sequence;

    public VirtualClock(DateTimeOffset start) => _now = start;

    /// <summary>The thread the lab runs on; timers set from any other thread mean work escaped it.</summary>
    public int Owner { get; set; }

    /// <summary>Timers set from another thread than <see cref="Owner"/>: work that escaped to the thread pool, so the
    /// run may not repeat exactly. The lab reports the count rather than hide it.</summary>
    public int ForeignTimers => Volatile.Read(ref _foreignTimers);

    private int _foreignTimers;

    /// <summary>Where the first foreign timer was set (a stack trace), so an escape can be found, not only counted.</summary>
    public string? FirstForeignTimer { get; private set; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    // Elapsed-time measurements inside the engine read virtual time too, so a report never depends on the host.
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (Owner != 0 && Environment.CurrentManagedThreadId != Owner && Interlocked.Increment(ref _foreignTimers) == 1)
            FirstForeignTimer = Environment.StackTrace;
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The due time of the earliest live timer, or null when none is set.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_lock)
            {
                while (_queue.TryPeek(out var timer, out var key))
                {
                    if (timer.IsCurrent(key.Sequence)) return key.Due;
                    _queue.Dequeue();
                }

                return null;
            }
        }
    }

    /// <summary>Moves to the earliest due timer at or before <paramref name="limit"/> and fires it; returns false,
    /// with the clock at <paramref name="limit"/>, when none is due by then.</summary>
    public bool FireNext(DateTimeOffset limit)
    {
        VirtualTimer timer;
        lock (_lock)
        {
            while (true)
            {
                if (!_queue.TryPeek(out timer!, out var key) || key.Due > limit)
                {
                    if (limit > _now) _now = limit;
                    return false;
                }

                _queue.Dequeue();
                if (!timer.IsCurrent(key.Sequence)) continue;
                if (key.Due > _now) _now = key.Due;
                timer.Fired(_now);
                break;
            }
        }

        timer.Invoke();
        return true;
    }

    private long Schedule(VirtualTimer timer, DateTimeOffset due)
    {
        // Called under the timer's own state change; the clock's lock keeps queue and sequence consistent.
        lock (_lock)
        {
            var sequence = ++_sequence;
            _queue.Enqueue(timer, (due < _now ? _now : due, sequence));
            return sequence;
        }
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _sequence;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public bool IsCurrent(long sequence) => !_disposed && Volatile.Read(ref _sequence) == sequence;

        public void Fired(DateTimeOffset now)
        {
            // A periodic timer is queued again before its callback runs, as System.Threading.Timer would.
            Volatile.Write(ref _sequence, _period > TimeSpan.Zero ? clock.ScheduleLocked(this, now + _period) : 0);
        }

        public void Invoke() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed) return false;
            _period = period;
            Volatile.Write(ref _sequence, dueTime == Timeout.InfiniteTimeSpan ? 0 : clock.Schedule(this, clock.GetUtcNow() + dueTime));
            return true;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    private long ScheduleLocked(VirtualTimer timer, DateTimeOffset due)
    {
        var sequence = ++_sequence;
        _queue.Enqueue(timer, (due, sequence));
        return sequence;
    }
}
