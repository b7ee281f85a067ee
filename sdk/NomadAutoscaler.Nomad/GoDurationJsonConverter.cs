using System.Text.Json;
using System.Text.Json.Serialization;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad;

/// <summary>A duration written as a Go duration string (<c>"1m0s"</c>); reads strings or integer nanoseconds,
/// as the Nomad server accepts both for variable locks.</summary>
internal sealed class GoDurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return TimeSpan.Zero;
            case JsonTokenType.Number:
                return TimeSpan.FromTicks(reader.GetInt64() / 100);
            default:
                var text = reader.GetString();
                if (string.IsNullOrEmpty(text)) return TimeSpan.Zero;
                return GoDuration.TryParse(text, out var value) ? value : throw new JsonException($"invalid duration \"{text}\"");
        }
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
        => writer.WriteStringValue(value == TimeSpan.Zero ? "" : GoDuration.Format(value));
}
