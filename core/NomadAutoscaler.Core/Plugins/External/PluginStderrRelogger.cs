using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>Re-logs a plugin's stderr under <c>external_plugin.&lt;id&gt;</c> with go-plugin's host rules
/// (an hclog JSON line keeps its level, message and pairs; a plain line takes its level from a <c>[LEVEL]</c> prefix,
/// DEBUG without one, ERROR from a Go panic on), and remembers the last lines for crash reports.</summary>
internal sealed partial class PluginStderrRelogger
{
    /// <summary>go-plugin's line buffer; longer lines are logged in raw chunks at DEBUG.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private const int RememberedLines = 20;

    private readonly ILogger _logger;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _lastLinesLock = new();
    private bool _panicking;

    public PluginStderrRelogger(ILogger logger) => _logger = logger;

    /// <summary>The last lines the plugin wrote to stderr, oldest first.</summary>
    public IReadOnlyList<string> LastLines
    {
        get
        {
            lock (_lastLinesLock) return [.. _lastLines];
        }
    }

    /// <summary>Reads stderr to its end. Never throws: a plugin's output must not take the agent down.</summary>
    public async Task PumpAsync(Stream stderr, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLineBytes];
        var filled = 0;
        var continuation = false;
        try
        {
            while (true)
            {
                var read = await stderr.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                var start = 0;
                var end = filled + read;
                for (var i = filled; i < end; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    EmitLine(buffer.AsSpan(start, i - start), ref continuation);
                    start = i + 1;
                }

                filled = end - start;
                if (start > 0 && filled > 0) Buffer.BlockCopy(buffer, start, buffer, 0, filled);
                if (filled == buffer.Length)
                {
                    // A line longer than the buffer: log what we have raw, as go-plugin does with bufio's isPrefix.
                    HandleChunk(Decode(buffer.AsSpan(0, filled)));
                    continuation = true;
                    filled = 0;
                }
            }

            if (filled > 0) EmitLine(buffer.AsSpan(0, filled), ref continuation);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void EmitLine(ReadOnlySpan<byte> bytes, ref bool continuation)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        var line = Decode(bytes);
        if (continuation)
        {
            HandleChunk(line);
            continuation = false;
            return;
        }

        HandleLine(line);
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private void HandleChunk(string chunk)
    {
        Remember(chunk);
        if (_logger.IsEnabled(LogLevel.Debug)) _logger.Hclog(LogLevel.Debug, chunk);
    }

    /// <summary>Handles one complete line (without its newline).</summary>
    public void HandleLine(string line)
    {
        Remember(line);
        if (TryParseJson(line, out var entry))
        {
            if (entry.Level is { } level)
            {
                if (!_logger.IsEnabled(level)) return;
                _logger.Log(level, default, new HclogState(entry.Message, entry.Pairs), null, HclogState.Format);
            }
            else if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.Hclog(LogLevel.Debug, line);
            }

            return;
        }

        if (line.StartsWith("panic: ", StringComparison.Ordinal) || line.StartsWith("fatal error: ", StringComparison.Ordinal))
            _panicking = true;

        var plainLevel = _panicking ? LogLevel.Error : PlainLevel(line);
        if (_logger.IsEnabled(plainLevel)) _logger.Hclog(plainLevel, line);
    }

    private static LogLevel PlainLevel(string line)
    {
        if (line.StartsWith("[TRACE]", StringComparison.Ordinal)) return LogLevel.Trace;
        if (line.StartsWith("[DEBUG]", StringComparison.Ordinal)) return LogLevel.Debug;
        if (line.StartsWith("[INFO]", StringComparison.Ordinal)) return LogLevel.Information;
        if (line.StartsWith("[WARN]", StringComparison.Ordinal)) return LogLevel.Warning;
        if (line.StartsWith("[ERROR]", StringComparison.Ordinal)) return LogLevel.Error;
        return LogLevel.Debug;
    }

    /// <summary>A JSON line as go-plugin reads it. Level is null when the line is a JSON object without a usable level,
    /// including (unlike Go, which panics) a non-string <c>@message</c>, <c>@level</c> or <c>@timestamp</c>.</summary>
    internal readonly record struct JsonEntry(LogLevel? Level, string Message, KeyValuePair<string, object?>[] Pairs);

    /// <summary>False when the line must take the plain-text path: not a JSON object, or an <c>@timestamp</c> in any
    /// format other than <c>2006-01-02T15:04:05.000000Z07:00</c>.</summary>
    internal static bool TryParseJson(string line, out JsonEntry entry)
    {
        entry = default;
        var trimmed = line.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{') return false;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return false;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            var message = string.Empty;
            string? levelText = null;
            var timestamp = DateTimeOffset.MinValue;
            var typeProblem = false;
            var pairs = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "@message":
                        if (property.Value.ValueKind == JsonValueKind.String) message = property.Value.GetString()!;
                        else typeProblem = true;
                        break;
                    case "@level":
                        if (property.Value.ValueKind == JsonValueKind.String) levelText = property.Value.GetString()!;
                        else typeProblem = true;
                        break;
                    case "@timestamp":
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            typeProblem = true;
                            break;
                        }

                        if (!TryParseTimestamp(property.Value.GetString()!, out timestamp)) return false;
                        break;
                    default:
                        pairs[property.Name] = ToGoValue(property.Value);
                        break;
                }
            }

            LogLevel? level = typeProblem || levelText is null ? null : HclogLevel.FromHclogName(levelText);
            var list = new KeyValuePair<string, object?>[pairs.Count + 1];
            var i = 0;
            foreach (var pair in pairs) list[i++] = pair;
            list[i] = new("timestamp", Logging.HclogWriter.FormatTextTimestamp(timestamp == DateTimeOffset.MinValue
                ? new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero)
                : timestamp));
            entry = new JsonEntry(level, message, list);
            return true;
        }
    }

    /// <summary>Go's <c>time.Parse("2006-01-02T15:04:05.000000Z07:00", s)</c>: exactly six fraction digits, then Z or ±hh:mm.</summary>
    internal static bool TryParseTimestamp(string text, out DateTimeOffset value)
    {
        value = default;
        if (!TimestampPattern().IsMatch(text)) return false;
        var normalized = text.EndsWith('Z') ? text[..^1] + "+00:00" : text;
        return DateTimeOffset.TryParseExact(normalized, "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();

    // JSON numbers decode to float64 in Go, so they print like Go floats.
    private static object? ToGoValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (m, p) =>
        {
            m[p.Name] = ToGoValue(p.Value);
            return m;
        }),
        JsonValueKind.Array => element.EnumerateArray().Select(ToGoValue).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private void Remember(string line)
    {
        lock (_lastLinesLock)
        {
            if (_lastLines.Count == RememberedLines) _lastLines.Dequeue();
            _lastLines.Enqueue(line.Length > 1024 ? line[..1024] : line);
        }
    }
}
