using Cronos;

namespace NomadAutoscaler.Core.Policy;

/// <summary>A recurring activity window: from each <c>start</c> occurrence until the next <c>end</c> occurrence,
/// or for <c>duration</c> after each start. Cron has exactly 5 fields and is evaluated in UTC.</summary>
public sealed class PolicySchedule
{
    private static readonly TimeSpan SearchBack = TimeSpan.FromDays(366 * 32);

    private readonly CronExpression _start;
    private readonly CronExpression? _end;

    private PolicySchedule(string startText, CronExpression start, string? endText, CronExpression? end, TimeSpan? duration)
    {
        StartText = startText;
        _start = start;
        EndText = endText;
        _end = end;
        Duration = duration;
    }

    /// <summary>The start cron text.</summary>
    public string StartText { get; }

    /// <summary>The end cron text, if any.</summary>
    public string? EndText { get; }

    /// <summary>The duration, if any.</summary>
    public TimeSpan? Duration { get; }

    /// <summary>Builds a schedule, or returns the upstream error text.</summary>
    public static PolicySchedule Create(string? start, string? end, TimeSpan? duration)
        => TryCreate(start, end, duration, out var schedule, out var error) ? schedule! : throw new FormatException(error);

    /// <summary>Builds a schedule; on failure <paramref name="error"/> holds upstream's message.</summary>
    public static bool TryCreate(string? start, string? end, TimeSpan? duration, out PolicySchedule? schedule, out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(start))
        {
            error = "start is required";
            return false;
        }

        if ((end is null) == (duration is null))
        {
            error = "must define exactly one of end or duration";
            return false;
        }

        if (!TryParseCron(start, out var startCron, out error))
        {
            error = "start: " + error;
            return false;
        }

        CronExpression? endCron = null;
        if (end is not null && !TryParseCron(end, out endCron, out error))
        {
            error = "end: " + error;
            return false;
        }

        if (duration is { } d && d <= TimeSpan.Zero)
        {
            error = "duration must be greater than zero";
            return false;
        }

        schedule = new PolicySchedule(start, startCron!, end, endCron, duration);
        error = null;
        return true;
    }

    /// <summary>Whether the window is open at <paramref name="now"/>.</summary>
    public bool IsActive(DateTimeOffset now)
    {
        var utcNow = now.UtcDateTime;
        if (Duration is { } duration)
        {
            // Some start occurrence lies in (now - duration, now].
            var next = _start.GetNextOccurrence(utcNow - duration, TimeZoneInfo.Utc, inclusive: false);
            return next is { } n && n <= utcNow;
        }

        var lastStart = LastOccurrence(_start, utcNow);
        if (lastStart is null) return false;
        var lastEnd = LastOccurrence(_end!, utcNow);
        return lastEnd is null || lastStart > lastEnd;
    }

    private static DateTime? LastOccurrence(CronExpression cron, DateTime utcNow)
    {
        // Cronos only searches forward; walk back in widening steps until an occurrence is found.
        var step = TimeSpan.FromHours(1);
        var from = utcNow - step;
        while (utcNow - from <= SearchBack)
        {
            DateTime? last = null;
            foreach (var occurrence in cron.GetOccurrences(from, utcNow, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true))
                last = occurrence;
            if (last is not null) return last;
            step *= 4;
            from = utcNow - step;
        }

        return null;
    }

    private static bool TryParseCron(string text, out CronExpression? cron, out string? error)
    {
        cron = null;
        var trimmed = text.Trim();
        if (trimmed.StartsWith('@') || trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            error = "must use strict 5-field cron format";
            return false;
        }

        try
        {
            cron = CronExpression.Parse(trimmed, CronFormat.Standard);
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            error = "invalid cron expression: " + ex.Message;
            return false;
        }
    }
}
