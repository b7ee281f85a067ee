using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

/// <summary>Records every entry with its structured pairs, to check upstream's trace lines.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    public List<LogEntry> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var pairs = state is IEnumerable<KeyValuePair<string, object?>> kvs ? kvs.ToList() : [];
        Entries.Add(new LogEntry(logLevel, formatter(state, exception), pairs));
    }

    public LogEntry Single(string message) => Assert.Single(Entries, e => e.Message == message);
}

internal sealed record LogEntry(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Pairs)
{
    public object? this[string key] => Assert.Single(Pairs, p => p.Key == key).Value;

    public IEnumerable<string> Keys => Pairs.Select(p => p.Key);
}
