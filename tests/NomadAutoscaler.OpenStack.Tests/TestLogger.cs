using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>Captures formatted log lines (level + message, with an hclog entry's pairs) for assertions, and echoes them to the test output.</summary>
internal sealed class TestLogger(ITestOutputHelper? output = null) : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IReadOnlyList<string> Messages => Entries.Select(e => e.Message).ToList();

    /// <summary>Hclog lines (a fixed message plus key/value pairs) with their pairs, in order.</summary>
    public ConcurrentQueue<(string Message, IReadOnlyDictionary<string, string?> Pairs)> Hclog { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var phrase = formatter(state, exception);
        var message = phrase;
        // An hclog-style entry (logger.Hclog) formats to its bare phrase; its pairs follow as hclog prints them, so
        // assertions see the whole line. Template entries carry {OriginalFormat} and are complete already.
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs && !pairs.Any(p => p.Key == "{OriginalFormat}"))
        {
            if (pairs.Count > 0) message += ": " + string.Join(" ", pairs.Select(p => $"{p.Key}={Text(p.Value)}"));
            Hclog.Enqueue((phrase, pairs.ToDictionary(p => p.Key, p => p.Value?.ToString(), StringComparer.Ordinal)));
        }

        Entries.Enqueue((logLevel, message));
        try
        {
            output?.WriteLine($"[{logLevel}] {message}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; background loops may still log.
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "<nil>",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
