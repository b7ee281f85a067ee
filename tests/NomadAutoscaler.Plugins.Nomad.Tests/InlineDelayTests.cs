using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad.Internal;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class InlineDelayTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_cancelled_delay_ends_inside_Cancel()
    {
        using var cancel = new CancellationTokenSource();
        var delay = InlineDelay.DelayAsync(TimeSpan.FromMinutes(1), _time, cancel.Token);
        var resumedOn = 0;
        var resumed = delay.ContinueWith(_ => resumedOn = Environment.CurrentManagedThreadId, TaskContinuationOptions.ExecuteSynchronously);

        cancel.Cancel();

        Assert.True(delay.IsCanceled);
        Assert.True(resumed.IsCompleted, "the awaiter ran inside Cancel");
        Assert.Equal(Environment.CurrentManagedThreadId, resumedOn);
    }

    [Fact]
    public void A_delay_ends_when_the_clock_passes_it_even_below_a_millisecond()
    {
        var delay = InlineDelay.DelayAsync(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond / 2), _time, CancellationToken.None);
        Assert.False(delay.IsCompleted, "a wait below a millisecond still waits for the clock");

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void An_infinite_delay_waits_for_the_cancellation_alone()
    {
        using var cancel = new CancellationTokenSource();
        var delay = InlineDelay.DelayAsync(Timeout.InfiniteTimeSpan, _time, cancel.Token);
        _time.Advance(TimeSpan.FromDays(365));
        Assert.False(delay.IsCompleted);

        cancel.Cancel();

        Assert.True(delay.IsCanceled);
    }

    [Fact]
    public async Task Waiting_on_a_task_ends_inside_Cancel_and_leaves_the_task_running()
    {
        var never = new TaskCompletionSource();
        // Off xUnit's synchronization context, under which no awaiter is ever resumed inline.
        var (endedInsideCancel, wait) = await Task.Run(() =>
        {
            using var cancel = new CancellationTokenSource();
            var waiting = InlineDelay.WaitAsync(never.Task, cancel.Token);
            cancel.Cancel();
            return (waiting.IsCompleted, waiting);
        });

        Assert.True(endedInsideCancel, "the wait ended inside Cancel");
        Assert.True(wait.IsCanceled);
        Assert.False(never.Task.IsCompleted);
    }

    [Fact]
    public async Task Waiting_on_a_task_that_answers_gives_its_outcome()
    {
        var answered = new TaskCompletionSource();
        using var cancel = new CancellationTokenSource();
        var wait = InlineDelay.WaitAsync(answered.Task, cancel.Token);
        answered.SetException(new InvalidOperationException("plugin failed"));

        Assert.Equal("plugin failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => wait)).Message);
    }
}
