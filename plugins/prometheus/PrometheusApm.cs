using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.Prometheus;

/// <summary>The <c>prometheus</c> APM plugin: each check's <c>query</c> is PromQL, run as a range query over the check's
/// window with a 1 s step, or as an instant query when <c>query_window = "instant"</c>. See README.md.</summary>
[Plugin("prometheus")]
public sealed class PrometheusApm : IApmPlugin<PrometheusOptions>, IDisposable
{
    // Series named in a "too many series" error; the rest are counted, so a query over thousands stays readable.
    private const int MaxSeriesNamed = 5;

    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Func<PrometheusOptions, PrometheusClient> _clientFactory;
    private readonly Lock _gate = new();
    private ClientLease? _current;

    /// <summary>Creates the plugin (the SDK host passes its logger and clock).</summary>
    public PrometheusApm(ILogger<PrometheusApm> logger, TimeProvider timeProvider)
        : this(logger, timeProvider, null) { }

    internal PrometheusApm(ILogger? logger, TimeProvider timeProvider, Func<PrometheusOptions, PrometheusClient>? clientFactory)
    {
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider;
        _clientFactory = clientFactory ?? (options => PrometheusClient.Create(options, timeProvider));
    }

    /// <inheritdoc />
    public ValueTask ConfigureAsync(PrometheusOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lease = new ClientLease(_clientFactory(options));
        ClientLease? previous;
        lock (_gate)
        {
            previous = _current;
            _current = lease;
        }

        // A reload must not break queries still running on the old connection pool: it is disposed when they finish.
        previous?.Retire();
        _logger.Hclog(LogLevel.Debug, "configured Prometheus client",
            ("address", PrometheusOptions.WithoutUserInfo(options.AddressUri)),
            ("basic_auth", !string.IsNullOrEmpty(options.BasicAuthUser) || !string.IsNullOrEmpty(options.BasicAuthPassword)),
            ("headers", string.Join(",", options.Headers.Keys)), ("ca_cert", options.CaCert ?? ""), ("skip_verify", options.SkipVerify));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var series = await RunAsync(query, cancellationToken).ConfigureAwait(false);
        return series.Count switch
        {
            0 => [],
            1 => series[0].Points,
            _ => throw new PrometheusQueryException(TooManySeries(series)),
        };
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var series = await RunAsync(query, cancellationToken).ConfigureAwait(false);
        return [.. series.Select(s => s.Points)];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ClientLease? current;
        lock (_gate)
        {
            current = _current;
            _current = null;
        }

        current?.Retire();
    }

    private async Task<IReadOnlyList<PrometheusSeries>> RunAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (string.IsNullOrWhiteSpace(query.Query)) throw new PrometheusQueryException("query must not be empty");
        if (query.To < query.From)
            throw new PrometheusQueryException($"query window ends ({query.To:O}) before it starts ({query.From:O})");

        ClientLease lease;
        lock (_gate)
        {
            lease = _current ?? throw new InvalidOperationException("the prometheus plugin is not configured");
            lease.Acquire();
        }

        try
        {
            _logger.Hclog(LogLevel.Debug, "querying Prometheus", ("query", query.Query), ("from", query.From), ("to", query.To), ("instant", query.From == query.To));
            var response = await lease.Client.QueryAsync(query.Query, query.From, query.To, cancellationToken).ConfigureAwait(false);
            foreach (var warning in response.Warnings)
                _logger.Hclog(LogLevel.Warning, "prometheus query returned warning", ("warning", warning), ("query", query.Query));
            return response.Series;
        }
        finally
        {
            lease.Release();
        }
    }

    internal static string TooManySeries(IReadOnlyList<PrometheusSeries> series)
    {
        var named = string.Join(", ", series.Take(MaxSeriesNamed).Select(s => s.Describe()));
        var more = series.Count > MaxSeriesNamed ? $" and {series.Count - MaxSeriesNamed} more" : "";
        return $"query returned {series.Count} metric streams, only 1 is expected: {named}{more} "
            + "(aggregate the query, e.g. sum(...) or avg(...), or select one series by its labels)";
    }

    /// <summary>A client plus the number of queries using it, so reconfiguration can retire it without cutting them off.</summary>
    private sealed class ClientLease(PrometheusClient client)
    {
        private int _users;
        private bool _retired;
        private int _disposed;

        public PrometheusClient Client { get; } = client;

        public void Acquire() => Interlocked.Increment(ref _users);

        public void Release()
        {
            if (Interlocked.Decrement(ref _users) == 0 && Volatile.Read(ref _retired)) DisposeOnce();
        }

        public void Retire()
        {
            Volatile.Write(ref _retired, true);
            if (Volatile.Read(ref _users) == 0) DisposeOnce();
        }

        private void DisposeOnce()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Client.Dispose();
        }
    }
}
