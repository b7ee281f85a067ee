using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>Keeps every log event, rendered with all of its structured values, so tests can assert on what was
/// (and was not) logged.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _events = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Events => [.. _events];

    public string AllText => string.Join("\n", _events.Select(e => e.Text));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        _events.Enqueue((logLevel, $"{formatter(state, exception)} | {values} | {exception}"));
    }
}
