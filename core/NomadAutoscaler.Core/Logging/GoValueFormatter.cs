using System.Collections;
using System.Globalization;
using System.Text;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Logging;

/// <summary>Renders values the way Go's <c>fmt %v</c> and hclog's text formatter do, so log lines read like upstream's.</summary>
internal static class GoValueFormatter
{
    /// <summary>Renders a pair value for text output. <paramref name="raw"/> is true when the result must not be quoted again
    /// (hclog writes empty strings as <c>""</c> and slices in their own syntax).</summary>
    public static string FormatPairValue(object? value, out bool raw)
    {
        raw = false;
        switch (value)
        {
            case string s when s.Length == 0:
                raw = true;
                return "\"\"";
            case string s:
                return s;
            case IDictionary or IReadOnlyDictionary<string, string> or IReadOnlyDictionary<string, object?>:
                return FormatValue(value);
            case IEnumerable e when value is not string:
                raw = true;
                return FormatSlice(e);
            default:
                return FormatValue(value);
        }
    }

    /// <summary>Go <c>%v</c> of a value.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "<nil>",
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatFloat(d),
        float f => FormatFloat(f),
        decimal m => FormatFloat((double)m),
        TimeSpan t => GoDuration.Format(t),
        Exception ex => ex.Message,
        Enum e => e.ToString(),
        DateTimeOffset dto => FormatTime(dto),
        DateTime dt => FormatTime(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, string> map => FormatMap(map.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value))),
        IReadOnlyDictionary<string, object?> map => FormatMap(map),
        IDictionary map => FormatMap(map.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(FormatValue(e.Key), e.Value))),
        IEnumerable e => "[" + string.Join(" ", e.Cast<object?>().Select(FormatValue)) + "]",
        _ => value.ToString() ?? "<nil>",
    };

    /// <summary>hclog's rendering of a slice: <c>[a, "b c"]</c>, strings always quoted.</summary>
    public static string FormatSlice(IEnumerable items)
    {
        var sb = new StringBuilder("[");
        var first = true;
        foreach (var item in items)
        {
            if (!first) sb.Append(", ");
            first = false;
            if (item is string s)
            {
                AppendGoQuoted(sb, s);
                continue;
            }

            var text = FormatValue(item);
            if (text.AsSpan().IndexOfAny(" \t\n\r") >= 0) AppendGoQuoted(sb, text);
            else sb.Append(text);
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Go's <c>map[k:v k2:v2]</c>, keys sorted as fmt does.</summary>
    public static string FormatMap(IEnumerable<KeyValuePair<string, object?>> map)
    {
        var sb = new StringBuilder("map[");
        var first = true;
        foreach (var kv in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!first) sb.Append(' ');
            first = false;
            sb.Append(kv.Key).Append(':').Append(FormatValue(kv.Value));
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Go <c>time.Time</c> default format: <c>2006-01-02 15:04:05.999999999 -0700 MST</c> (zone name shown only for UTC).</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var text = time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
        var offset = time.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        var zone = offset == TimeSpan.Zero ? " UTC" : string.Empty;
        return $"{text} {sign}{abs.Hours:00}{abs.Minutes:00}{zone}";
    }

    /// <summary>Go's <c>strconv.FormatFloat(f, 'g', -1, 64)</c>, which is what <c>%v</c> prints for a float64.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        if (value == 0) return double.IsNegative(value) ? "-0" : "0";

        // .NET's "R" gives the same shortest round-trip digits as Go; only the layout differs.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative) r = r[1..];
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? r[..dot] : r;
        var fracPart = dot >= 0 ? r[(dot + 1)..] : string.Empty;
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        // Decimal point position relative to the first significant digit.
        var dp = intPart.Length - leadingZeros + exponent;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        var x = dp - 1;
        // Go's shortest 'g' switches to an exponent when it is below -4 or at least 6.
        if (x < -4 || x >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(x < 0 ? '-' : '+');
            var absExp = Math.Abs(x);
            if (absExp < 10) sb.Append('0');
            sb.Append(absExp.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }

        return sb.ToString();
    }

    /// <summary>True when hclog would quote the text: any rune outside <c>-</c> .. <c>~</c>.</summary>
    public static bool NeedsQuoting(string text)
    {
        foreach (var c in text)
        {
            if (c < '-' || c > '~') return true;
        }

        return false;
    }

    /// <summary>Appends <c>"text"</c> with quotes and non-printable characters escaped as Go does.</summary>
    public static void AppendGoQuoted(StringBuilder sb, string text)
    {
        sb.Append('"');
        AppendEscaped(sb, text, escapeQuotes: true);
        sb.Append('"');
    }

    /// <summary>hclog's <c>writeEscapedForOutput</c>: printable runes as is, the rest as Go escapes.</summary>
    public static void AppendEscaped(StringBuilder sb, string text, bool escapeQuotes)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"' && escapeQuotes)
            {
                sb.Append("\\\"");
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (!char.IsControl(c) && !char.IsSurrogate(c) && c != '\u2028' && c != '\u2029')
            {
                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c < ' ') sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else if (char.IsSurrogate(c)) sb.Append("\\ufffd");
                    else sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }
    }
}
