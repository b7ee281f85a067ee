using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Agent;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Http;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Telemetry;

namespace NomadAutoscaler.Agent;

/// <summary>A reload asked for by SIGHUP (no <see cref="Done"/>) or by <c>PUT /v1/agent/reload</c> (which waits on
/// <see cref="Done"/> for null or the refusal). Both go through one queue, so reloads never overlap.</summary>
internal sealed record ReloadRequest(TaskCompletionSource<string?>? Done);

/// <summary>Starts the agent's HTTP API and its metrics sink for <see cref="AgentRunner"/>.</summary>
internal static class AgentHttp
{
    /// <summary>The in-memory sink, following the agent's meter and the plugin call timers, and the configured
    /// statsd-style sinks.</summary>
    public static TelemetrySinks Telemetry(AgentConfig config, ILoggerFactory loggers)
        => new(config.Telemetry, Environment.MachineName, TimeProvider.System, loggers);

    /// <summary>Listens on <c>http.bind_address</c>:<c>http.bind_port</c>; null (after logging the reason) when it
    /// cannot, so the caller exits 1.</summary>
    public static async Task<AgentHttpServer?> StartAsync(AgentConfig config, AutoscalerAgent agent, MetricsCollector metrics,
        ChannelWriter<ReloadRequest> reloads, ILoggerFactory loggers, ILogger logger, CancellationToken cancellationToken)
    {
        var backend = new AgentHttpBackend(
            metrics,
            config.Telemetry.PrometheusMetrics || config.Telemetry.PrometheusRetentionTime > TimeSpan.Zero,
            () => agent.Policies,
            async ct =>
            {
                var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                await reloads.WriteAsync(new ReloadRequest(done), ct);
                return await done.Task.WaitAsync(ct);
            },
            () => agent.Plugins?.Running ?? [],
            () => agent.Config.EnableDebug);
        var server = new AgentHttpServer(backend, loggers);
        try
        {
            await server.StartAsync(config.Http.BindAddress, config.Http.BindPort, cancellationToken);
            return server;
        }
        catch (HttpBindException ex)
        {
            logger.Hclog(LogLevel.Error, "failed to start HTTP server", ("error", ex.Message));
            await server.DisposeAsync();
            return null;
        }
    }
}
