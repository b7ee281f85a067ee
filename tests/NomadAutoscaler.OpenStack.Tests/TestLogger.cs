using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>Captures formatted log lines (level + message) for assertions, and echoes them to the test output.</summary>
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
        var message = formatter(state, exception);
        Entries.Enqueue((logLevel, message));
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs && !pairs.Any(p => p.Key == "{OriginalFormat}"))
            Hclog.Enqueue((message, pairs.ToDictionary(p => p.Key, p => p.Value?.ToString(), StringComparer.Ordinal)));
        try
        {
            output?.WriteLine($"[{logLevel}] {message}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; background loops may still log.
        }
    }
}
