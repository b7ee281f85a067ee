using System.Text.Json;
using System.Text.Json.Serialization;

namespace NomadAutoscaler.Nomad;

/// <summary>Go <c>time.Duration</c> as JSON: integer nanoseconds.</summary>
internal sealed class NanosecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.Null ? TimeSpan.Zero : TimeSpan.FromTicks(reader.GetInt64() / 100);

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
        => writer.WriteNumberValue(value.Ticks * 100);
}
