using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

/// <summary>The SDK's one logging call: pairs arrive in order, and a line whose level is off costs no allocation.</summary>
public sealed class HclogLoggerExtensionsTests
{
    [Fact]
    public void Pairs_reach_the_logger_in_order_with_the_fixed_message()
    {
        var logger = new Capture(LogLevel.Information);

        logger.Hclog(LogLevel.Warning, "scaling target", ("id", "a1"), ("from", 2), ("to", 3));

        var (level, text, pairs) = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Equal("scaling target", text);
        Assert.Equal(["id=a1", "from=2", "to=3"], pairs);
    }

    [Fact]
    public void A_line_below_the_level_allocates_nothing()
    {
        var logger = new Capture(LogLevel.Information);
        const string Pool = "nom-pool";
        const string Node = "node-1";
        // Warm up, so the first call's one-time costs are not counted.
        logger.Hclog(LogLevel.Debug, "checking node", ("pool", Pool), ("node_id", Node));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) logger.Hclog(LogLevel.Debug, "checking node", ("pool", Pool), ("node_id", Node));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Empty(logger.Lines);
    }

    private sealed class Capture(LogLevel minimum) : ILogger
    {
        public List<(LogLevel Level, string Text, List<string> Pairs)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var pairs = state is IEnumerable<KeyValuePair<string, object?>> kvs ? kvs.Select(p => $"{p.Key}={p.Value}").ToList() : [];
            Lines.Add((logLevel, formatter(state, exception), pairs));
        }
    }
}
