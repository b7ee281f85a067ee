using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>Records every log entry with its logger name, level, message and pairs.</summary>
internal sealed class CapturingLoggerFactory(LogLevel minimum = LogLevel.Trace) : ILoggerFactory
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName, minimum);

    public void Dispose()
    {
    }

    public IReadOnlyList<LogEntry> For(string name) => [.. Entries.Where(e => e.Name == name)];

    internal sealed record LogEntry(string Name, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Pairs)
    {
        public object? this[string key] => Pairs.FirstOrDefault(p => p.Key == key).Value;
    }

    private sealed class CapturingLogger(CapturingLoggerFactory owner, string name, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var pairs = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner.Entries.Enqueue(new LogEntry(name, logLevel, formatter(state, exception), [.. pairs]));
        }
    }
}
