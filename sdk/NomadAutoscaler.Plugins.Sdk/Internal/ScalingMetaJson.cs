using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary><see cref="ScalingAction.Meta"/> as the JSON object bytes the Go side puts in the Any's value.
/// Hand-written with Utf8JsonWriter so it stays trim- and AOT-safe for arbitrary object values.</summary>
internal static class ScalingMetaJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(IReadOnlyDictionary<string, object?> meta)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteObject(writer, meta.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)), depth: 0);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a JSON object. Scalars become string, bool, long or double; nested values stay <see cref="JsonElement"/>.</summary>
    public static IReadOnlyDictionary<string, object?> Deserialize(ReadOnlySpan<byte> json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json.IsEmpty) return result;
        using var document = JsonDocument.Parse(json.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new FormatException("scaling action meta is not a JSON object");
        foreach (var property in document.RootElement.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                JsonValueKind.Number when property.Value.TryGetInt64(out var l) => l,
                JsonValueKind.Number => property.Value.GetDouble(),
                _ => property.Value.Clone(),
            };
        }

        return result;
    }

    private static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> members, int depth)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in members)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value, depth + 1);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        // Guards against self-referencing dictionaries.
        if (depth > 32) throw new InvalidOperationException("scaling action meta is nested too deeply");
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
            case byte by: writer.WriteNumberValue(by); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case DateTimeOffset dto: writer.WriteStringValue(dto.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTime dt: writer.WriteStringValue(dt.ToString("O", CultureInfo.InvariantCulture)); break;
            case TimeSpan ts: writer.WriteStringValue(GoDuration.Format(ts)); break;
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
}
