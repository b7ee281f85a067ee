using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Logging;

/// <summary>Writes every log event as one hclog JSON line to a text writer (stderr in a plugin process).</summary>
internal sealed class HclogJsonLoggerProvider(TextWriter output, string module, TimeProvider timeProvider) : ILoggerProvider
{
    // One lock for the whole process: lines from different threads must never interleave.
    private readonly Lock _writeLock = new();

    public ILogger CreateLogger(string categoryName) => new HclogJsonLogger(this);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_writeLock)
        {
            output.Write(line + "\n");
            output.Flush();
        }
    }

    private sealed class HclogJsonLogger(HclogJsonLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            if (string.IsNullOrEmpty(message) && exception is not null) message = exception.Message;
            var line = HclogJsonFormatter.Format(
                logLevel, provider.Module, message, provider.TimeProvider.GetUtcNow(),
                state as IEnumerable<KeyValuePair<string, object?>>, exception);
            provider.Write(line);
        }
    }

    private string Module => module;

    private TimeProvider TimeProvider => timeProvider;
}
