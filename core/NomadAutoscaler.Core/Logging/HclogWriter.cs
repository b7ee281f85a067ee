using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Logging;

/// <summary>Formats entries as hclog text or JSON lines and writes them whole, one at a time, so lines from
/// concurrent threads never interleave.</summary>
internal sealed class HclogWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static StringBuilder? t_builder;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_jsonBuffer;

    private readonly TextWriter _output;
    private readonly Lock _outputLock = new();

    public HclogWriter(TextWriter output, HclogOptions options)
    {
        _output = output;
        Options = options;
    }

    public HclogOptions Options { get; }

    public bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= Options.MinimumLevel;

    public void Write(LogLevel level, string name, string message, IReadOnlyList<KeyValuePair<string, object?>> pairs, Exception? exception,
        CallerLocation? caller = null)
    {
        var now = Options.TimeProvider.GetUtcNow();
        if (!Options.UseUtc) now = now.ToLocalTime();
        string line = Options.Json
            ? FormatJson(now, level, name, message, pairs, exception, caller)
            : FormatText(now, level, name, message, pairs, exception, caller);
        lock (_outputLock)
        {
            _output.Write(line);
            _output.Flush();
        }
    }

    /// <summary>hclog's text time layout <c>2006-01-02T15:04:05.000Z0700</c>.</summary>
    public static string FormatTextTimestamp(DateTimeOffset time)
    {
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);
        if (time.Offset == TimeSpan.Zero) return text + "Z";
        var abs = time.Offset.Duration();
        return $"{text}{(time.Offset < TimeSpan.Zero ? '-' : '+')}{abs.Hours:00}{abs.Minutes:00}";
    }

    /// <summary>hclog's JSON time layout <c>2006-01-02T15:04:05.000000Z07:00</c>, the one go-plugin hosts insist on.</summary>
    public static string FormatJsonTimestamp(DateTimeOffset time)
    {
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        return time.Offset == TimeSpan.Zero ? text + "Z" : text + time.ToString("zzz", CultureInfo.InvariantCulture);
    }

    public static string FormatText(DateTimeOffset time, LogLevel level, string name, string message,
        IReadOnlyList<KeyValuePair<string, object?>> pairs, Exception? exception, CallerLocation? caller = null)
    {
        var sb = t_builder ??= new StringBuilder(256);
        sb.Clear();
        sb.Append(FormatTextTimestamp(time)).Append(' ').Append(HclogLevel.Bracket(level)).Append(' ');
        // hclog puts the location between the level and the logger name: "[INFO]  Agent/AgentRunner.cs:57: agent: ...".
        if (caller is not null) sb.Append(caller.Short).Append(": ");
        if (name.Length > 0)
        {
            sb.Append(name);
            if (message.Length > 0) sb.Append(": ").Append(message);
        }
        else
        {
            sb.Append(message);
        }

        var count = CountPairs(pairs) + (exception is null ? 0 : 1);
        if (count > 0)
        {
            sb.Append(':');
            foreach (var pair in pairs)
            {
                if (IsTemplateKey(pair.Key)) continue;
                AppendTextPair(sb, pair.Key, pair.Value);
            }

            if (exception is not null) AppendTextPair(sb, "error", exception.Message);
        }

        sb.Append('\n');
        var line = sb.ToString();
        if (sb.Capacity > 16 * 1024) t_builder = null;
        return line;
    }

    public static string FormatJson(DateTimeOffset time, LogLevel level, string name, string message,
        IReadOnlyList<KeyValuePair<string, object?>> pairs, Exception? exception, CallerLocation? caller = null)
    {
        // Go's encoder writes map keys sorted, so the output is sorted too; later duplicates win as in a Go map.
        var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["@level"] = HclogLevel.JsonName(level),
            ["@message"] = message,
            ["@timestamp"] = FormatJsonTimestamp(time),
        };
        if (name.Length > 0) fields["@module"] = name;
        if (caller is not null) fields["@caller"] = caller.Full;
        foreach (var pair in pairs)
        {
            if (IsTemplateKey(pair.Key)) continue;
            fields[pair.Key] = pair.Value;
        }

        if (exception is not null) fields["error"] = exception.Message;

        var buffer = t_jsonBuffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                writer.WritePropertyName(key);
                GoJson.WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
        if (buffer.Capacity > 64 * 1024) t_jsonBuffer = null;
        return line;
    }

    private static int CountPairs(IReadOnlyList<KeyValuePair<string, object?>> pairs)
    {
        var count = 0;
        foreach (var pair in pairs)
        {
            if (!IsTemplateKey(pair.Key)) count++;
        }

        return count;
    }

    // Microsoft.Extensions.Logging adds the template under this key; it is not a pair.
    private static bool IsTemplateKey(string key) => key == "{OriginalFormat}";

    private static void AppendTextPair(StringBuilder sb, string key, object? value)
    {
        var text = GoValueFormatter.FormatPairValue(value, out var raw);
        if (text.Contains('\n', StringComparison.Ordinal))
        {
            sb.Append("\n  ").Append(key).Append("=\n");
            var rest = text.AsSpan();
            while (!rest.IsEmpty)
            {
                var nl = rest.IndexOf('\n');
                var lineText = nl < 0 ? rest : rest[..nl];
                sb.Append("  | ");
                GoValueFormatter.AppendEscaped(sb, lineText.ToString(), escapeQuotes: false);
                sb.Append('\n');
                rest = nl < 0 ? [] : rest[(nl + 1)..];
            }

            sb.Append("  ");
        }
        else if (!raw && GoValueFormatter.NeedsQuoting(text))
        {
            sb.Append(' ').Append(key).Append('=');
            GoValueFormatter.AppendGoQuoted(sb, text);
        }
        else
        {
            sb.Append(' ').Append(key).Append('=').Append(text);
        }
    }
}
