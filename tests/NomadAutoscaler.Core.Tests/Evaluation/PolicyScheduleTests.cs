using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Core.Tests.Evaluation;

public sealed class PolicyScheduleTests
{
    private static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(7, 59, false)]
    [InlineData(8, 0, true)]
    [InlineData(19, 59, true)]
    [InlineData(20, 0, false)]
    public void Start_and_end_window(int hour, int minute, bool active)
    {
        // 2026-11-27 is a Friday.
        var schedule = PolicySchedule.Create("0 8 * * 1-5", "0 20 * * 1-5", null);
        Assert.Equal(active, schedule.IsActive(At(27, hour, minute)));
    }

    [Fact]
    public void Weekend_is_outside_a_weekday_window()
        => Assert.False(PolicySchedule.Create("0 8 * * 1-5", "0 20 * * 1-5", null).IsActive(At(28, 12)));

    [Theory]
    [InlineData(21, 59, false)]
    [InlineData(22, 0, true)]
    [InlineData(23, 59, true)]
    public void Start_and_duration_window(int hour, int minute, bool active)
        => Assert.Equal(active, PolicySchedule.Create("0 22 * * *", null, TimeSpan.FromHours(2)).IsActive(At(27, hour, minute)));

    [Fact]
    public void Duration_window_crosses_midnight()
        => Assert.True(PolicySchedule.Create("0 22 * * *", null, TimeSpan.FromHours(3)).IsActive(At(28, 0, 30)));

    [Theory]
    [InlineData(null, "0 9 * * *", null, "start is required")]
    [InlineData("0 8 * * *", null, null, "must define exactly one of end or duration")]
    [InlineData("0 8 * * *", "0 9 * * *", "1h", "must define exactly one of end or duration")]
    [InlineData("0 8 * *", "0 9 * * *", null, "start: must use strict 5-field cron format")]
    [InlineData("@daily", "0 9 * * *", null, "start: must use strict 5-field cron format")]
    [InlineData("0 8 * * *", null, "0s", "duration must be greater than zero")]
    public void Invalid_schedules_give_upstream_messages(string? start, string? end, string? duration, string expected)
    {
        var ok = PolicySchedule.TryCreate(start, end, duration is null ? null : NomadAutoscaler.Plugins.Sdk.GoDuration.Parse(duration), out _, out var error);
        Assert.False(ok);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Invalid_cron_value_is_reported()
    {
        Assert.False(PolicySchedule.TryCreate("0 25 * * *", "0 9 * * *", null, out _, out var error));
        Assert.StartsWith("start: invalid cron expression: ", error, StringComparison.Ordinal);
    }
}
