using System.ComponentModel.DataAnnotations;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.TestPlugins;

/// <summary>Answers every query with <c>points</c> copies of the configured <c>value</c>, spread over the query window.
/// A query text that parses as a number overrides the value, so one plugin block can serve several test policies.</summary>
[Plugin("noop-apm")]
public sealed class NoopApm : IApmPlugin<NoopApmOptions>
{
    private NoopApmOptions _options = new();

    public ValueTask ConfigureAsync(NoopApmOptions options, CancellationToken cancellationToken)
    {
        _options = options;
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var value = double.TryParse(query.Query, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var fromQuery)
            ? fromQuery
            : _options.Value;
        var points = new List<MetricPoint>(_options.Points);
        var span = query.To - query.From;
        for (var i = 0; i < _options.Points; i++)
        {
            var at = _options.Points == 1 ? query.To : query.From + (span * i / (_options.Points - 1));
            points.Add(new MetricPoint(at, value));
        }

        return ValueTask.FromResult<IReadOnlyList<MetricPoint>>(points);
    }
}

/// <summary>Configuration of <see cref="NoopApm"/>.</summary>
public sealed class NoopApmOptions
{
    /// <summary>The value every point carries.</summary>
    public double Value { get; init; } = 1;

    /// <summary>How many points each query returns.</summary>
    [Range(1, 10_000)]
    public int Points { get; init; } = 1;
}
