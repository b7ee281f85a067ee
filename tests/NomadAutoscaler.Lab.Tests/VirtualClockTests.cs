namespace NomadAutoscaler.Lab.Tests;

public sealed class VirtualClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Timers_fire_in_due_order_and_ties_in_the_order_they_were_set()
    {
        var clock = new VirtualClock(Start);
        var fired = new List<string>();
        using var late = clock.CreateTimer(_ => fired.Add("late@" + Offset(clock)), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using var first = clock.CreateTimer(_ => fired.Add("first@" + Offset(clock)), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var second = clock.CreateTimer(_ => fired.Add("second@" + Offset(clock)), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        while (clock.FireNext(Start.AddMinutes(1)))
        {
        }

        Assert.Equal(["first@2", "second@2", "late@5"], fired);
        Assert.Equal(Start.AddMinutes(1), clock.GetUtcNow());
    }

    [Fact]
    public void A_periodic_timer_repeats_until_disposed_and_a_changed_one_moves()
    {
        var clock = new VirtualClock(Start);
        var ticks = new List<double>();
        var timer = clock.CreateTimer(_ => ticks.Add(Offset(clock)), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        while (clock.FireNext(Start.AddSeconds(8)))
        {
        }

        timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        while (clock.FireNext(Start.AddSeconds(30)))
        {
        }

        timer.Dispose();
        Assert.False(clock.FireNext(Start.AddHours(1)));
        Assert.Equal([1, 4, 7, 18], ticks);
    }

    [Fact]
    public void Task_delay_on_the_clock_completes_only_when_the_clock_reaches_it()
    {
        var clock = new VirtualClock(Start);
        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock);
        Assert.False(clock.FireNext(Start.AddMinutes(4)));
        Assert.False(delay.IsCompleted);
        Assert.True(clock.FireNext(Start.AddMinutes(6)));
        Assert.True(delay.IsCompletedSuccessfully);
        Assert.Equal(Start.AddMinutes(5), clock.GetUtcNow());
    }

    private static double Offset(VirtualClock clock) => (clock.GetUtcNow() - Start).TotalSeconds;
}
