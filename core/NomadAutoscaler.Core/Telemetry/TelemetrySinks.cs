using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Core.Telemetry;

/// <summary>The agent's metrics pipeline from <c>telemetry { }</c>: the in-memory collector behind <c>/v1/metrics</c>,
/// the statsd, statsite and DogStatsD sinks it forwards to, and the timer that sends gauges to them every
/// <c>collection_interval</c>.</summary>
internal sealed class TelemetrySinks : IDisposable
{
    private readonly List<IMetricSink> _sinks;
    private readonly ITimer? _gaugeTimer;

    public TelemetrySinks(TelemetryConfig config, string hostName, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("telemetry");
        var host = config.DisableHostname && !config.EnableHostnameLabel ? null : hostName;
        _sinks = [];
        if (config.StatsiteAddress.Length > 0) _sinks.Add(StatsdSink.Statsite(config.StatsiteAddress, time, logger));
        if (config.StatsdAddress.Length > 0) _sinks.Add(StatsdSink.Statsd(config.StatsdAddress, time, logger));
        if (config.DogstatsdAddress.Length > 0) _sinks.Add(new DogStatsdSink(config.DogstatsdAddress, hostName, config.DogstatsdTags, time, logger));
        Collector = new MetricsCollector(time: time, hostname: host, sinks: _sinks, hostnameLabel: config.EnableHostnameLabel,
            prometheusRetention: config.PrometheusRetentionTime);
        if (_sinks.Count > 0) _gaugeTimer = time.CreateTimer(_ => Collector.EmitGauges(), null, config.CollectionInterval, config.CollectionInterval);
    }

    public MetricsCollector Collector { get; }

    public IReadOnlyList<IMetricSink> Sinks => _sinks;

    public void Dispose()
    {
        _gaugeTimer?.Dispose();
        Collector.Dispose();
        foreach (var sink in _sinks) sink.Dispose();
    }
}
