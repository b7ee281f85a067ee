using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Logging;

/// <summary>One named hclog logger (the category is the hclog name, e.g. <c>agent.plugin_manager</c>).</summary>
internal sealed class HclogLogger : ILogger
{
    private static readonly KeyValuePair<string, object?>[] NoPairs = [];
    private readonly string _name;
    private readonly HclogWriter _writer;

    public HclogLogger(string name, HclogWriter writer)
    {
        _name = name;
        _writer = writer;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => _writer.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        if (state is HclogState hclog)
        {
            _writer.Write(logLevel, _name, hclog.Message, hclog, exception, Caller());
            return;
        }

        var message = formatter(state, exception);
        // Template values are already inside the message; text mode would repeat them, JSON mode keeps them as fields.
        IReadOnlyList<KeyValuePair<string, object?>> pairs =
            _writer.Options.Json && state is IReadOnlyList<KeyValuePair<string, object?>> structured ? structured : NoPairs;
        _writer.Write(logLevel, _name, message, pairs, exception, Caller());
    }

    // Walking the stack costs microseconds per line, so it is only done when the option asks for it.
    private CallerLocation? Caller() => _writer.Options.IncludeLocation ? CallerLocation.Find() : null;
}
