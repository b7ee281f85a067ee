using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>The <c>os-nova</c> target: a pool of OpenStack Nova servers (tagged <c>na_pool:&lt;pool_name&gt;</c>) that run
/// Nomad clients. Scale-out creates servers concurrently and waits for ACTIVE; scale-in drains the Nomad nodes first
/// (SDK cluster helpers) and deletes only servers whose node finished draining.</summary>
[Plugin("os-nova")]
public sealed class OsNovaPlugin : ITargetPlugin<OsNovaOptions>, IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<string, string?> _environment;
    private readonly OpenStackClientOptions _clientOptions;
    private readonly HttpMessageHandler? _handler;
    private readonly FallbackTotals _fallbacks = new();
    private State? _state;

    /// <summary>Creates the plugin (the SDK host passes its logger and clock).</summary>
    public OsNovaPlugin(ILogger<OsNovaPlugin> logger, TimeProvider timeProvider)
        : this(logger, timeProvider, Environment.GetEnvironmentVariable, new OpenStackClientOptions()) { }

    internal OsNovaPlugin(ILogger? logger, TimeProvider timeProvider, Func<string, string?> environment, OpenStackClientOptions clientOptions,
        HttpMessageHandler? handler = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider;
        _environment = environment;
        _clientOptions = clientOptions;
        _handler = handler;
    }

    /// <summary>The plugin version logged at set-up.</summary>
    internal static string Version { get; } = "v" + (typeof(OsNovaPlugin).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>How often servers are polled while waiting for them (tests shorten it).</summary>
    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    internal OpenStackClient Cloud => (_state ?? throw new InvalidOperationException("not configured")).Cloud;

    /// <inheritdoc />
    public async ValueTask ConfigureAsync(OsNovaOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        OpenStackCredentials credentials;
        try
        {
            credentials = options.ToCredentials(_environment);
        }
        catch (OpenStackConfigException ex)
        {
            throw new PluginConfigException("cloud", ex.Message);
        }

        var problems = credentials.Validate();
        if (problems.Count > 0) throw new PluginConfigException("auth_url", "failed to authenticate with OS: " + string.Join("; ", problems));
        var clientOptions = options.ComputeEndpointOverride is { } computeUrl
            ? _clientOptions with { EndpointOverrides = new Dictionary<string, Uri>(_clientOptions.EndpointOverrides, StringComparer.Ordinal) { ["compute"] = computeUrl } }
            : _clientOptions;

        var cloud = new OpenStackClient(credentials, clientOptions, _handler, _time, _logger);
        var nomad = new NomadClient(options.ToClientOptions(_environment), timeProvider: _time, logger: _logger);
        try
        {
            try
            {
                await cloud.Session.AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OpenStackApiException or OpenStackConfigException)
            {
                throw new InvalidOperationException($"failed to authenticate with OS: {ex.Message}", ex);
            }

            foreach (var service in new[] { "compute", "image", "network" })
            {
                try
                {
                    await cloud.Session.GetEndpointAsync(service, cancellationToken).ConfigureAwait(false);
                }
                catch (OpenStackConfigException ex)
                {
                    throw new InvalidOperationException($"failed to create OS {service} client: {ex.Message}", ex);
                }
            }

            var zones = new List<string>();
            try
            {
                zones.AddRange((await cloud.Nova.ListAvailabilityZonesAsync(cancellationToken).ConfigureAwait(false))
                    .Where(z => z.Available && z.Name != "nova").Select(z => z.Name));
                _logger.Hclog(LogLevel.Information, "discovered the availability zones, saving them as default", ("zones", "[" + string.Join(" ", zones) + "]"));
            }
            catch (OpenStackApiException ex)
            {
                _logger.Hclog(LogLevel.Warning, "failed to discover availability zones", ("error", ex.Message));
            }

            try
            {
                await cloud.Nova.DiscoverMicroversionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OpenStackApiException ex)
            {
                throw new InvalidOperationException($"failed to create OS compute client: {ex.Message}", ex);
            }

            var membership = await LoadBalancerMembership.CreateAsync(cloud, options, PollInterval, _time, _logger, cancellationToken).ConfigureAwait(false);
            // A crash (or a kill) between deleting a server and its member leaves a member that nothing else removes.
            if (membership is not null) await membership.RemoveLeftoversAsync(new HashSet<string>(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            var scaleIn = new ClusterScaleIn(nomad, NodeRemoteId.ForOpenStack(options.IdAttribute, options.NameAttribute), _logger, _time);
            await scaleIn.InitializeSelfNodeAsync(_environment, cancellationToken).ConfigureAwait(false);
            var scaler = new NovaPoolScaler(cloud, nomad, options, zones, _time, _logger)
            {
                PollInterval = PollInterval,
                SelfNodeId = scaleIn.SelfNodeId,
                Membership = membership,
                Fallbacks = _fallbacks,
            };
            _logger.Hclog(LogLevel.Information, "completed set-up of plugin", ("version", Version));
            var previous = Interlocked.Exchange(ref _state, new State(cloud, nomad, scaler));
            previous?.Dispose();
        }
        catch
        {
            cloud.Dispose();
            nomad.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        var state = _state ?? throw new InvalidOperationException("os-nova is not configured");
        var pool = PoolTarget.Parse(target, _logger);
        try
        {
            return await state.Scaler.GetStatusAsync(pool, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenStackApiException ex)
        {
            throw new InvalidOperationException($"failed to count Nova servers: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var state = _state ?? throw new InvalidOperationException("os-nova is not configured");
        var pool = PoolTarget.Parse(target, _logger);
        try
        {
            await state.Scaler.ScaleAsync(action, pool, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenStackApiException ex)
        {
            throw new InvalidOperationException($"failed to perform scaling action: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _state, null)?.Dispose();

    private sealed record State(OpenStackClient Cloud, NomadClient Nomad, NovaPoolScaler Scaler) : IDisposable
    {
        public void Dispose()
        {
            Scaler.Membership?.Dispose();
            Cloud.Dispose();
            Nomad.Dispose();
        }
    }
}
