using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>The <c>nomad-apm</c> plugin: metrics computed from the Nomad API. See README.md for the query language.</summary>
[Plugin("nomad-apm")]
public sealed class NomadApmPlugin : IApmPlugin<NomadApmOptions>, IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Func<NomadClientOptions, NomadClient> _clientFactory;
    private NomadClient? _client;
    private NomadApmOptions _options = new();
    private NodeFilterOptions _filter = new();

    /// <summary>Creates the plugin (the SDK host passes its logger and clock).</summary>
    public NomadApmPlugin(ILogger<NomadApmPlugin> logger, TimeProvider timeProvider)
        : this(logger, timeProvider, o => new NomadClient(o, timeProvider: timeProvider, logger: logger)) { }

    internal NomadApmPlugin(ILogger? logger, TimeProvider timeProvider, Func<NomadClientOptions, NomadClient> clientFactory)
    {
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider;
        _clientFactory = clientFactory;
    }

    /// <inheritdoc />
    public ValueTask ConfigureAsync(NomadApmOptions options, CancellationToken cancellationToken)
    {
        var client = _clientFactory(options.ToClientOptions());
        var previous = Interlocked.Exchange(ref _client, client);
        previous?.Dispose();
        _options = options;
        _filter = new NodeFilterOptions
        {
            IgnoreInit = options.NodeFilterIgnoreInit,
            IgnoreDrain = options.NodeFilterIgnoreDrain,
            IgnoreIneligible = options.NodeFilterIgnoreIneligible,
        };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new InvalidOperationException("nomad-apm is not configured");
        if (query.From == query.To) throw new NomadApmException("query_window = \"instant\" is not supported by nomad-apm");
        var parsed = ApmQueryParser.Parse(query.Query);
        var value = parsed switch
        {
            TaskGroupQuery tg => await TaskGroupMetrics.QueryAsync(client, tg, cancellationToken).ConfigureAwait(false),
            NodePoolQuery { Operation: ApmQueryParser.PercentageAllocated } np => await NodePoolMetrics.PercentageAllocatedAsync(client, np, _filter, cancellationToken).ConfigureAwait(false),
            NodePoolQuery np => await PoolDemand.QueryAsync(client, np, _filter, _options, _logger, cancellationToken).ConfigureAwait(false),
            _ => throw new NomadApmException($"unsupported query {query.Query}"),
        };
        return [new MetricPoint(_timeProvider.GetUtcNow(), value)];
    }

    /// <inheritdoc />
    public void Dispose() => _client?.Dispose();
}
