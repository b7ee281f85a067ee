using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Writes a .NET value as Go's <c>encoding/json</c> writes the Go value it stands for, so that the agent's JSON
/// log, a plugin's stderr lines and a scaling action's meta agree with each other and with upstream's Go code: a
/// <see cref="TimeSpan"/> is a <c>time.Duration</c> (integer nanoseconds), a <see cref="DateTimeOffset"/> a
/// <c>time.Time</c> (RFC 3339 with nanoseconds), an exception a Go <c>error</c> (its message), and map keys come out
/// sorted. A value JSON cannot hold (NaN, ±Inf, nesting deeper than 32, an unknown type) is written as text instead of
/// failing, because a log line must always be written. Hand-written with <see cref="Utf8JsonWriter"/> so it stays
/// trim- and AOT-safe for arbitrary object values.</summary>
internal static class GoJson
{
    private const int MaxDepth = 32;

    public static void WriteValue(Utf8JsonWriter writer, object? value) => WriteValue(writer, value, 0);

    /// <summary>Go's <c>time.RFC3339Nano</c>: <c>2006-01-02T15:04:05.999999999Z07:00</c>, trailing zeros of the
    /// fraction dropped, <c>Z</c> for UTC.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        if (time.Offset == TimeSpan.Zero) return text + "Z";
        var offset = time.Offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{text}{(time.Offset < TimeSpan.Zero ? '-' : '+')}{offset.Hours:00}:{offset.Minutes:00}");
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            // Also ends the recursion of a dictionary that contains itself.
            writer.WriteStringValue("<nested too deeply>");
            return;
        }

        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case uint ui: writer.WriteNumberValue(ui); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case short sh: writer.WriteNumberValue(sh); break;
            case ushort us: writer.WriteNumberValue(us); break;
            case byte by: writer.WriteNumberValue(by); break;
            case sbyte sb: writer.WriteNumberValue(sb); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case double d: writer.WriteStringValue(GoValues.FormatFloat(d)); break;
            case float f: writer.WriteStringValue(GoValues.FormatFloat(f)); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case TimeSpan t: writer.WriteNumberValue(t.Ticks * 100); break;
            case DateTimeOffset dto: writer.WriteStringValue(FormatTime(dto)); break;
            case DateTime dt:
                writer.WriteStringValue(FormatTime(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt)));
                break;
            case Exception ex: writer.WriteStringValue(ex.Message); break;
            case JsonElement element: element.WriteTo(writer); break;
            case IEnumerable<KeyValuePair<string, object?>> map: WriteObject(writer, map, depth); break;
            case IEnumerable<KeyValuePair<string, string>> strings:
                WriteObject(writer, strings.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)), depth);
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence) WriteValue(writer, item, depth + 1);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> members, int depth)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in members.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value, depth + 1);
        }

        writer.WriteEndObject();
    }
}
