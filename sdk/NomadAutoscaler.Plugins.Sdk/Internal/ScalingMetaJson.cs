using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary><see cref="ScalingAction.Meta"/> as the JSON object bytes the Go side puts in the Any's value, written as
/// Go's encoding/json writes a <c>map[string]interface{}</c> (see <see cref="GoJson"/>).</summary>
internal static class ScalingMetaJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(IReadOnlyDictionary<string, object?> meta)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            GoJson.WriteValue(writer, meta);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The key under which meta that is not a JSON object is kept, as text.</summary>
    public const string RawKey = "_raw";

    /// <summary>Parses a JSON object. Scalars become string, bool, long or double; nested values stay
    /// <see cref="JsonElement"/>. Bytes that are not a JSON object are kept readable under <see cref="RawKey"/>
    /// rather than failing a whole evaluation or scale over metadata.</summary>
    public static IReadOnlyDictionary<string, object?> Deserialize(ReadOnlySpan<byte> json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json.IsEmpty) return result;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return Raw(json);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return Raw(json);
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
        }

        return result;
    }

    private static Dictionary<string, object?> Raw(ReadOnlySpan<byte> json)
        => new(StringComparer.Ordinal) { [RawKey] = System.Text.Encoding.UTF8.GetString(json) };
}
