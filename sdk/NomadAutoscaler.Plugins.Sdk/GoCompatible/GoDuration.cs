using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Go <c>time.Duration</c> text: parsing (<c>1h30m</c>, <c>1.5s</c>, <c>300ms</c>) and formatting (<c>5m0s</c>).</summary>
public static class GoDuration
{
    private const long NanosPerTick = 100;

    /// <summary>Parses Go duration syntax. Units: ns, us, µs, μs, ms, s, m, h. A bare <c>0</c> is allowed.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0")) return true;
        if (s.IsEmpty) return false;

        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == 0 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            s = s[i..];
            var u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.') u++;
            decimal unitNanos = s[..u] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (unitNanos < 0) return false;
            s = s[u..];
            totalNanos += number * unitNanos;
            if (totalNanos > long.MaxValue) return false;
        }

        var ticks = (long)(totalNanos / NanosPerTick);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Parses Go duration syntax or throws <see cref="FormatException"/>.</summary>
    public static TimeSpan Parse(string text)
        => TryParse(text, out var value) ? value : throw new FormatException($"time: invalid duration \"{text}\"");

    /// <summary>Formats as Go's <c>Duration.String()</c>: <c>5m0s</c>, <c>1h30m0s</c>, <c>7.5s</c>, <c>300ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var nanos = duration.Ticks * NanosPerTick;
        if (nanos == 0) return "0s";
        var sb = new StringBuilder();
        if (nanos < 0)
        {
            sb.Append('-');
            nanos = -nanos;
        }

        if (nanos < 1_000_000_000)
        {
            // Sub-second values use the largest unit that keeps an integer part, as Go does.
            var (unit, size) = nanos switch
            {
                < 1_000 => ("ns", 1L),
                < 1_000_000 => ("µs", 1_000L),
                _ => ("ms", 1_000_000L),
            };
            sb.Append(FormatFraction(nanos, size)).Append(unit);
            return sb.ToString();
        }

        var hours = nanos / 3_600_000_000_000;
        nanos -= hours * 3_600_000_000_000;
        var minutes = nanos / 60_000_000_000;
        nanos -= minutes * 60_000_000_000;
        if (hours > 0) sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (hours > 0 || minutes > 0) sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        sb.Append(FormatFraction(nanos, 1_000_000_000)).Append('s');
        return sb.ToString();
    }

    private static string FormatFraction(long value, long unit)
    {
        var whole = value / unit;
        var fraction = value % unit;
        if (fraction == 0) return whole.ToString(CultureInfo.InvariantCulture);
        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        var text = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + "." + text;
    }
}
