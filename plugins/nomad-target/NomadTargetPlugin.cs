using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.NomadTarget;

/// <summary>The <c>nomad-target</c> plugin: reads and sets the count of a Nomad job's task group.</summary>
/// <remarks>Differences from upstream: the status count is the group's <b>desired</b> count (upstream reports the
/// running count, so a scale-up decided while allocations are pending could lower the job), and the target is not
/// ready while a deployment of the job is active (Nomad would refuse the scale anyway).</remarks>
[Plugin("nomad-target")]
public sealed class NomadTargetPlugin : ITargetPlugin<NomadTargetOptions>, IDisposable
{
    internal const string ActiveDeploymentError = "job scaling blocked due to active deployment";
    private readonly ILogger _logger;
    private readonly Func<NomadClientOptions, NomadClient> _clientFactory;
    private NomadClient? _client;

    /// <summary>Creates the plugin (the SDK host passes its logger and clock).</summary>
    public NomadTargetPlugin(ILogger<NomadTargetPlugin> logger, TimeProvider timeProvider)
        : this(logger, o => new NomadClient(o, timeProvider: timeProvider, logger: logger)) { }

    internal NomadTargetPlugin(ILogger? logger, Func<NomadClientOptions, NomadClient> clientFactory)
    {
        _logger = logger ?? NullLogger.Instance;
        _clientFactory = clientFactory;
    }

    /// <inheritdoc />
    public ValueTask ConfigureAsync(NomadTargetOptions options, CancellationToken cancellationToken)
    {
        var previous = Interlocked.Exchange(ref _client, _clientFactory(options.ToClientOptions()));
        previous?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        var client = Client;
        var (job, group, ns) = ReadTarget(target);
        JobScaleStatus status;
        try
        {
            status = (await client.GetJobScaleStatusAsync(job, new QueryOptions { Namespace = ns }, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (NomadNotFoundException)
        {
            return null;
        }

        if (status.TaskGroups is null || !status.TaskGroups.TryGetValue(group, out var groupStatus))
            throw new InvalidOperationException($"task group \"{group}\" not found");

        var deployments = (await client.ListDeploymentsAsync(new QueryOptions { Namespace = ns }, cancellationToken).ConfigureAwait(false)).Value;
        var deploying = deployments.Any(d => d.JobID == job && d.Namespace == ns && d.JobCreateIndex == status.JobCreateIndex && d.IsActive);

        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"nomad_autoscaler.target.nomad.{job}.stopped"] = status.JobStopped ? "true" : "false",
        };
        if (groupStatus.Events is { Count: > 0 } events)
            meta[TargetStatusMeta.LastEvent] = events[0].Time.ToString(CultureInfo.InvariantCulture);
        if (deploying) _logger.Hclog(LogLevel.Debug, "job has an active deployment, target not ready", ("job", job), ("namespace", ns));

        return new TargetStatus(!status.JobStopped && !deploying, groupStatus.Desired) { Meta = meta };
    }

    /// <inheritdoc />
    public async ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        var client = Client;
        var (job, group, ns) = ReadTarget(target);
        var request = new ScalingRequest
        {
            // -1 is the agent's dry-run marker: Nomad then records an event without changing the count.
            Count = action.Count < 0 ? null : action.Count,
            Target = new Dictionary<string, string> { ["Job"] = job, ["Group"] = group },
            Message = action.Reason,
            Error = action.Error,
            Meta = ScalingMeta.ToJson(action.Meta),
            PolicyOverride = false,
        };
        try
        {
            await client.ScaleJobAsync(job, request, new WriteOptions { Namespace = ns }, cancellationToken).ConfigureAwait(false);
        }
        catch (NomadApiException ex) when (ex.NomadMessage.Contains(ActiveDeploymentError, StringComparison.Ordinal))
        {
            throw new ScalingNoOpException($"skipping scaling group {job}/{group} due to active deployment", ex);
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            throw new InvalidOperationException($"failed to scale group {job}/{group}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client?.Dispose();

    private NomadClient Client => _client ?? throw new InvalidOperationException("nomad-target is not configured");

    private static (string Job, string Group, string Namespace) ReadTarget(PluginSettings target)
    {
        static string Required(PluginSettings t, string key)
            => t.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : throw new PluginConfigException(key, $"required config key \"{key}\" not found");
        var ns = target.TryGetValue("Namespace", out var n) && !string.IsNullOrEmpty(n) ? n : "default";
        return (Required(target, "Job"), Required(target, "Group"), ns);
    }
}
