using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>Go <c>time.ParseDuration</c> / <c>Duration.String()</c>, because Nomad speaks Go durations on the wire.</summary>
internal static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] s_units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var s = text;
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var found = false;
            foreach (var (name, unitTicks) in s_units)
            {
                if (name == unit)
                {
                    ticks += number * unitTicks;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Formats like Go's <c>Duration.String()</c>: <c>15s</c>, <c>1m0s</c>, <c>1h0m0s</c>, <c>1.5s</c>, <c>300ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Negate();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var ns = value.Ticks * 100;
            if (ns < 1000)
            {
                return sb.Append(ns.ToString(CultureInfo.InvariantCulture)).Append("ns").ToString();
            }

            if (ns < 1_000_000)
            {
                return sb.Append(Trim(ns / 1000.0)).Append("µs").ToString();
            }

            return sb.Append(Trim(ns / 1_000_000.0)).Append("ms").ToString();
        }

        var hours = (long)value.TotalHours;
        var minutes = value.Minutes;
        var seconds = value.TotalSeconds - (hours * 3600) - (minutes * 60);
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return sb.Append(Trim(seconds)).Append('s').ToString();
    }

    private static string Trim(double value) => value.ToString("0.#########", CultureInfo.InvariantCulture);
}
