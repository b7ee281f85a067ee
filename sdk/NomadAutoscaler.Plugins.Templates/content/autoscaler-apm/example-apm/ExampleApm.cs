using System.Globalization;
using NomadAutoscaler.Plugins.Sdk;

namespace ExampleApmPlugin;

/// <summary>An APM plugin: the agent sends it a check's <c>query</c> and time window, and it answers with metric
/// points. This one answers a constant (the query text when it is a number, else <c>value</c>); replace that with a
/// call to your metrics system.</summary>
[Plugin("example-apm")]
public sealed class ExampleApm(TimeProvider time) : IApmPlugin<ExampleApmOptions>
{
    private ExampleApmOptions _options = new();

    /// <inheritdoc />
    public ValueTask ConfigureAsync(ExampleApmOptions options, CancellationToken cancellationToken)
    {
        // Called before any other method, and again on every agent reload.
        _options = options;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var value = double.TryParse(query.Query, NumberStyles.Float, CultureInfo.InvariantCulture, out var fromQuery) ? fromQuery : _options.Value;
        // One point at the end of the window, never in the future (a strategy ignores future points).
        var now = time.GetUtcNow();
        return ValueTask.FromResult<IReadOnlyList<MetricPoint>>([new MetricPoint(query.To < now ? query.To : now, value)]);
    }
}

/// <summary>The agent's <c>apm "example-apm" { config = { ... } }</c> block.</summary>
public sealed class ExampleApmOptions
{
    /// <summary><c>value</c>: what a query answers when its text is not a number.</summary>
    public double Value { get; init; }
}
