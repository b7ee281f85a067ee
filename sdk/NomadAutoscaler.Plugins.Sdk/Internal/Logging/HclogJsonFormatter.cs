using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Logging;

/// <summary>Formats one log event as an hclog JSON line, the form go-plugin hosts parse from plugin stderr.</summary>
internal static class HclogJsonFormatter
{
    /// <summary>go-plugin only accepts exactly six fractional digits; any other shape loses the level on the host.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private const string OriginalFormatKey = "{OriginalFormat}";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(
        LogLevel level, string module, string message, DateTimeOffset timestamp,
        IEnumerable<KeyValuePair<string, object?>>? state, Exception? exception)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            // The host does unchecked string assertions on these three: they must always be JSON strings.
            writer.WriteString("@level", LevelName(level));
            writer.WriteString("@message", message);
            writer.WriteString("@module", module);
            writer.WriteString("@timestamp", FormatTimestamp(timestamp));
            var written = new HashSet<string>(StringComparer.Ordinal) { "@level", "@message", "@module", "@timestamp" };
            if (state is not null)
            {
                foreach (var (key, value) in state)
                {
                    if (key == OriginalFormatKey || !written.Add(key)) continue;
                    writer.WritePropertyName(key);
                    GoJson.WriteValue(writer, value);
                }
            }

            if (exception is not null && written.Add("error"))
                writer.WriteString("error", exception.ToString());
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string FormatTimestamp(DateTimeOffset timestamp)
        => timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };

    /// <summary>Parses NOMAD_AUTOSCALER_PLUGIN_LOG_LEVEL-style names (hclog's and .NET's spellings).</summary>
    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        level = text?.Trim().ToUpperInvariant() switch
        {
            "TRACE" => LogLevel.Trace,
            "DEBUG" => LogLevel.Debug,
            "INFO" or "INFORMATION" => LogLevel.Information,
            "WARN" or "WARNING" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "OFF" or "NONE" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= 0;
    }
}
