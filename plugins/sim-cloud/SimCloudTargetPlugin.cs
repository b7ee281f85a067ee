using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Nomad.Internal;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.SimCloud;

/// <summary>The <c>sim-cloud</c> target: a node pool on the Nomad simulator's simulated cloud, for <c>agent -dev</c>,
/// tests and the lab. It follows os-nova: scale-out creates servers and waits until they are ACTIVE (an ERROR server is
/// deleted and retried once); scale-in selects, drains and waits through the SDK cluster helpers, then deletes only
/// servers whose node finished draining. Servers outside the pool are never touched.</summary>
[Plugin("sim-cloud")]
public sealed class SimCloudTargetPlugin : ITargetPlugin<SimCloudOptions>, IDisposable
{
    /// <summary>Node attribute the simulated cloud sets to the server ID (os-nova's <c>id_attribute</c> choice).</summary>
    internal const string IdAttribute = "unique.platform.openstack.id";

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpMessageHandler? _handler;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastScale = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unjoined = new(StringComparer.Ordinal);
    private State? _state;

    /// <summary>Creates the plugin (the SDK host passes its logger and clock).</summary>
    public SimCloudTargetPlugin(ILogger<SimCloudTargetPlugin> logger, TimeProvider timeProvider)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <summary>Creates the plugin on a given transport (the lab's in-memory handler), used for both the Nomad API
    /// and the cloud endpoints.</summary>
    internal SimCloudTargetPlugin(ILogger? logger, TimeProvider time, HttpMessageHandler handler)
    {
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
    }

    /// <summary>How long an ACTIVE server may stay without a Nomad node before it is taken for lost.</summary>
    internal TimeSpan JoinGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often servers are polled while waiting for them to boot.</summary>
    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public async ValueTask ConfigureAsync(SimCloudOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = options.ToClientOptions();
        foreach (var (key, value) in new[]
                 {
                     (NomadConfigKeys.CaCert, clientOptions.CaCert), (NomadConfigKeys.CaPath, clientOptions.CaPath),
                     (NomadConfigKeys.ClientCert, clientOptions.ClientCert), (NomadConfigKeys.ClientKey, clientOptions.ClientKey),
                 })
        {
            // The simulator serves plain HTTP on loopback; a TLS setting could not be honoured for the cloud endpoints.
            if (!string.IsNullOrEmpty(value)) throw new PluginConfigException(key, "sim-cloud talks to the simulator over plain HTTP; TLS settings are not supported");
        }

        var nomad = new NomadClient(clientOptions, _handler, _time, _logger);
        var cloud = new CloudClient(clientOptions, _handler, _time);
        try
        {
            var scaleIn = new ClusterScaleIn(nomad, NodeRemoteId.FromAttribute(IdAttribute), _logger, _time);
            await scaleIn.InitializeSelfNodeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _logger.Hclog(LogLevel.Information, "completed set-up of plugin", ("address", clientOptions.Address));
            Interlocked.Exchange(ref _state, new State(nomad, cloud, scaleIn.SelfNodeId))?.Dispose();
        }
        catch
        {
            nomad.Dispose();
            cloud.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var state = _state ?? throw new InvalidOperationException("sim-cloud is not configured");
        var pool = PoolTarget.Parse(target);
        var nodes = await ClusterStatus.GetPoolStatusAsync(state.Nomad, pool.Cluster.Pool, NodeFilterOptions.FromConfig(new Dictionary<string, string>()),
            _logger, cancellationToken).ConfigureAwait(false);
        if (!nodes.Ready)
        {
            _logger.Hclog(LogLevel.Debug, "node pool not ready", ("pool_name", pool.PoolName), ("reason", nodes.NotReadyReason));
            return new TargetStatus(false, 0);
        }

        await RestoreLeftoverNodesAsync(state, pool, cancellationToken).ConfigureAwait(false);
        var servers = await state.Cloud.ListAsync(pool.PoolName, cancellationToken).ConfigureAwait(false);
        // A server in ERROR never recovers by itself: delete it now rather than letting it block or inflate the pool.
        await DeleteFailedAsync(state, servers, cancellationToken).ConfigureAwait(false);
        var abandoned = await DeleteNeverJoinedAsync(state, pool, servers, cancellationToken).ConfigureAwait(false);
        var counted = Counted(servers).Where(s => !abandoned.Contains(s.Id)).ToList();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_lastScale.TryGetValue(pool.PoolName, out var last))
            meta[TargetStatusMeta.LastEvent] = (last.ToUnixTimeMilliseconds() * 1_000_000L).ToString(CultureInfo.InvariantCulture);
        return new TargetStatus(counted.All(s => s.Status == "ACTIVE"), counted.Count) { Meta = meta };
    }

    /// <inheritdoc />
    public async ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(target);
        var state = _state ?? throw new InvalidOperationException("sim-cloud is not configured");
        var pool = PoolTarget.Parse(target);
        if (action.Count < 0)
        {
            _logger.Hclog(LogLevel.Information, "dry-run: not scaling", ("pool_name", pool.PoolName), ("desired_count", action.Count));
            return;
        }

        var servers = await state.Cloud.ListAsync(pool.PoolName, cancellationToken).ConfigureAwait(false);
        await DeleteFailedAsync(state, servers, cancellationToken).ConfigureAwait(false);
        var counted = Counted(servers);
        var current = counted.Count;
        if (action.Count == current)
        {
            _logger.Hclog(LogLevel.Information, "scaling not required", ("pool_name", pool.PoolName), ("current_count", current), ("strategy_count", action.Count));
            throw new ScalingNoOpException($"pool {pool.PoolName} already has {current} servers");
        }

        // The agent decided on the count it read before; servers may have come or gone since. A stale "up" must not
        // delete servers, nor a stale "down" create them.
        if ((action.Direction == ScalingDirection.Up && action.Count < current) || (action.Direction == ScalingDirection.Down && action.Count > current))
        {
            var direction = action.Direction == ScalingDirection.Up ? "up" : "down";
            _logger.Hclog(LogLevel.Warning, "not scaling against the decision's direction",
                ("pool_name", pool.PoolName), ("direction", direction), ("current_count", current), ("desired_count", action.Count));
            throw new ScalingNoOpException($"pool {pool.PoolName} has {current} servers, a scale {direction} to {action.Count} would go the other way");
        }

        try
        {
            if (action.Count > current) await ScaleOutAsync(state, pool, checked((int)(action.Count - current)), cancellationToken).ConfigureAwait(false);
            else await ScaleInAsync(state, pool, counted, checked((int)(current - action.Count)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lastScale[pool.PoolName] = _time.GetUtcNow();
        }
    }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _state, null)?.Dispose();

    private static List<CloudServer> Counted(IReadOnlyList<CloudServer> servers) =>
        servers.Where(s => s.Status is not ("ERROR" or "DELETED")).ToList();

    /// <summary>Drain hygiene on every status call, as os-nova does: nodes left ineligible by an earlier scale-in that
    /// no longer removes them (an agent killed mid-drain, a delete that failed) get their eligibility back. A failure
    /// is logged; it must not stop the pool from being counted.</summary>
    private async Task RestoreLeftoverNodesAsync(State state, PoolTarget pool, CancellationToken cancellationToken)
    {
        try
        {
            await ScaleInHelper(state).RestoreLeftoverNodesAsync(pool.Cluster.Pool, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex)
        {
            _logger.Hclog(LogLevel.Warning, "drain hygiene failed", ("pool_name", pool.PoolName), ("error", ex.Message));
        }
    }

    private ClusterScaleIn ScaleInHelper(State state) => new(state.Nomad, NodeRemoteId.FromAttribute(IdAttribute), _logger, _time) { SelfNodeId = state.SelfNodeId };

    private async Task ScaleOutAsync(State state, PoolTarget pool, int count, CancellationToken cancellationToken)
    {
        // Cancel instead of boot: a node draining for a scale-in is capacity that is already booted and paid for.
        IReadOnlyList<string> reclaimed;
        try
        {
            reclaimed = await ScaleInHelper(state).CancelScaleInDrainsAsync(pool.Cluster.Pool, count, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex)
        {
            _logger.Hclog(LogLevel.Warning, "failed to cancel scale-in drains before scaling out, booting for the whole count",
                ("pool_name", pool.PoolName), ("error", ex.Message));
            reclaimed = [];
        }

        if (reclaimed.Count > 0)
        {
            _logger.Hclog(LogLevel.Information, "reclaimed draining nodes instead of booting servers",
                ("pool_name", pool.PoolName), ("reclaimed", reclaimed.Count), ("booting", count - reclaimed.Count));
            count -= reclaimed.Count;
            if (count == 0) return;
        }

        _logger.Hclog(LogLevel.Debug, "creating instances", ("pool_name", pool.PoolName), ("count", count));
        var pending = (await state.Cloud.CreateAsync(pool, count, cancellationToken).ConfigureAwait(false)).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var retried = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();
        var active = 0;
        while (pending.Count > 0)
        {
            // A cancelled Task.Delay resumes on the thread pool, beside the lab's clock; InlineDelay ends on the cancelling thread.
            await InlineDelay.DelayAsync(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            var byId = (await state.Cloud.ListAsync(pool.PoolName, cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Id, StringComparer.Ordinal);
            foreach (var id in pending.ToList())
            {
                var server = byId.GetValueOrDefault(id);
                if (server is { Status: "BUILD" }) continue;
                pending.Remove(id);
                if (server is { Status: "ACTIVE" })
                {
                    _logger.Hclog(LogLevel.Debug, "instance boot up completed", ("server", id));
                    active++;
                }
                else if (server is { Status: "ERROR" })
                {
                    var firstFailure = !retried.Contains(id);
                    _logger.Hclog(LogLevel.Warning, "server went to ERROR, deleting it", ("id", id), ("name", server.Name), ("attempt", firstFailure ? 1 : 2));
                    await state.Cloud.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                    if (!firstFailure)
                    {
                        errors.Add($"server {server.Name} went to ERROR twice; deleted");
                        continue;
                    }

                    var replacement = (await state.Cloud.CreateAsync(pool, 1, cancellationToken).ConfigureAwait(false))[0].Id;
                    retried.Add(replacement);
                    pending.Add(replacement);
                }
                else
                {
                    errors.Add($"server {server?.Name ?? id} disappeared while building");
                }
            }
        }

        if (errors.Count == 0)
        {
            _logger.Hclog(LogLevel.Information, "successfully performed and verified scaling out",
                ("action", "scale_out"), ("desired_count", count), ("pool_name", pool.PoolName));
            return;
        }

        _logger.Hclog(LogLevel.Warning, "scale-out partially failed",
            ("pool_name", pool.PoolName), ("requested", count), ("created", active), ("errors", string.Join("; ", errors)));
        throw new InvalidOperationException($"failed to perform scaling action: scale-out of pool {pool.PoolName} created {active} of {count} servers: {string.Join("; ", errors)}");
    }

    private async Task ScaleInAsync(State state, PoolTarget pool, IReadOnlyList<CloudServer> servers, int count, CancellationToken cancellationToken)
    {
        var helper = ScaleInHelper(state);
        IReadOnlyList<ClusterNode> drained;
        IReadOnlyList<ClusterNode> failedDrains = [];
        string? drainError = null;
        try
        {
            drained = await helper.RunPreScaleInTasksAsync(pool.Cluster, count, servers.Select(s => s.Id).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex) when (ex.DrainedNodes.Count > 0)
        {
            // Nodes that did drain are safe to remove; the rest get their eligibility back below.
            drained = ex.DrainedNodes;
            failedDrains = ex.FailedNodes;
            drainError = ex.Message;
        }
        catch (ClusterScaleException ex) when (ex.NothingRemovable)
        {
            // The SDK's safety rules kept every node: a no-op whose reason reaches the decision history.
            throw new ScalingNoOpException($"pool {pool.PoolName}: {ex.Message}", ex);
        }
        catch (ClusterScaleException ex)
        {
            await RestoreAsync(helper, ex.FailedNodes).ConfigureAwait(false);
            throw new InvalidOperationException($"failed to perform pre-scale Nomad scale in tasks: {ex.Message}", ex);
        }

        var errors = new List<string>();
        var removed = new List<ClusterNode>();
        var unresolved = new List<ClusterNode>();
        foreach (var node in drained)
        {
            // Only servers of this pool were offered to the selector; checked again so nothing outside it is deleted.
            if (!servers.Any(s => s.Id == node.RemoteId))
            {
                errors.Add($"instance {node.RemoteId} is not in pool {pool.PoolName}");
                unresolved.Add(node);
                continue;
            }

            try
            {
                await state.Cloud.DeleteAsync(node.RemoteId, cancellationToken).ConfigureAwait(false);
                removed.Add(node);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TimeoutException)
            {
                errors.Add($"failed to delete server id {node.RemoteId}: {ex.Message}");
                unresolved.Add(node);
            }
        }

        if (removed.Count > 0)
        {
            _logger.Hclog(LogLevel.Information, "successfully deleted simulated cloud instances", ("action", "scale_in"), ("pool_name", pool.PoolName),
                ("instances", "[" + string.Join(" ", removed.Select(n => $"{{{n.NodeId} {n.RemoteId}}}")) + "]"));
            await PurgeRemainingAsync(state, helper, pool, removed, errors, cancellationToken).ConfigureAwait(false);
        }

        await RestoreAsync(helper, [.. unresolved, .. failedDrains]).ConfigureAwait(false);
        if (drainError is not null) errors.Insert(0, drainError);
        if (errors.Count > 0)
            throw new InvalidOperationException($"failed to perform scaling action: scale-in of pool {pool.PoolName} removed {removed.Count} of {count} servers: {string.Join("; ", errors)}");
        _logger.Hclog(LogLevel.Information, "successfully performed and verified scaling in", ("action", "scale_in"), ("pool_name", pool.PoolName), ("count", count));
    }

    /// <summary><c>node_purge</c>: the simulated cloud already removes a deleted server's node, as Nomad's garbage
    /// collection would later; only nodes still listed are purged.</summary>
    private static async Task PurgeRemainingAsync(State state, ClusterScaleIn helper, PoolTarget pool, IReadOnlyList<ClusterNode> removed, List<string> errors,
        CancellationToken cancellationToken)
    {
        if (!pool.Cluster.Purge) return;
        try
        {
            var listed = (await state.Nomad.ListNodesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Select(n => n.ID).ToHashSet(StringComparer.Ordinal);
            await helper.RunPostScaleInTasksAsync(pool.Cluster, removed.Where(n => listed.Contains(n.NodeId)).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ClusterScaleException or NomadApiException or HttpRequestException or TimeoutException)
        {
            errors.Add($"failed to perform post-scale Nomad scale in tasks: {ex.Message}");
        }
    }

    private async Task RestoreAsync(ClusterScaleIn helper, IReadOnlyList<ClusterNode> nodes)
    {
        if (nodes.Count == 0) return;
        try
        {
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time);
            await helper.RestoreEligibilityAsync(nodes, budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ClusterScaleException or OperationCanceledException)
        {
            _logger.Hclog(LogLevel.Warning, "failed to restore node eligibility", ("error", ex.Message));
        }
    }

    /// <summary>A server that is ACTIVE but whose Nomad client never joined is paid for and never takes work, and no
    /// scale-in can pick it (scale-in picks nodes): after <see cref="JoinGrace"/> it is deleted like a server in ERROR,
    /// and the pool's count drops so the next evaluation replaces it. Found by the fault soak (docs/reliability.md).
    /// The grace starts when this process first sees the server without a node, so a restarted agent waits it again.</summary>
    /// <returns>The IDs of the servers deleted.</returns>
    private async Task<HashSet<string>> DeleteNeverJoinedAsync(State state, PoolTarget pool, IReadOnlyList<CloudServer> servers, CancellationToken cancellationToken)
    {
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var active = servers.Where(s => s.Status == "ACTIVE").ToList();
        if (active.Count == 0) return deleted;
        HashSet<string> joined;
        try
        {
            // The simulated cloud names a server's node after the server, as a Nova server's hostname names its client.
            joined = (await state.Nomad.ListNodesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            _logger.Hclog(LogLevel.Warning, "failed to check that pool servers joined", ("pool_name", pool.PoolName), ("error", ex.Message));
            return deleted;
        }

        var now = _time.GetUtcNow();
        foreach (var server in active)
        {
            if (joined.Contains(server.Name))
            {
                _unjoined.TryRemove(server.Id, out _);
                continue;
            }

            var since = _unjoined.GetOrAdd(server.Id, now);
            if (now - since < JoinGrace) continue;
            _logger.Hclog(LogLevel.Warning, "deleting pool server whose node never joined", ("id", server.Id), ("name", server.Name), ("waited", GoDuration.Format(now - since)));
            try
            {
                await state.Cloud.DeleteAsync(server.Id, cancellationToken).ConfigureAwait(false);
                _unjoined.TryRemove(server.Id, out _);
                deleted.Add(server.Id);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TimeoutException)
            {
                _logger.Hclog(LogLevel.Warning, "failed to delete server whose node never joined", ("id", server.Id), ("error", ex.Message));
            }
        }

        return deleted;
    }

    private async Task DeleteFailedAsync(State state, IReadOnlyList<CloudServer> servers, CancellationToken cancellationToken)
    {
        foreach (var server in servers.Where(s => s.Status == "ERROR"))
        {
            _logger.Hclog(LogLevel.Warning, "deleting pool server in ERROR status", ("id", server.Id), ("name", server.Name));
            try
            {
                await state.Cloud.DeleteAsync(server.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TimeoutException)
            {
                _logger.Hclog(LogLevel.Warning, "failed to delete server in ERROR status", ("id", server.Id), ("error", ex.Message));
            }
        }
    }

    private sealed record State(NomadClient Nomad, CloudClient Cloud, string? SelfNodeId) : IDisposable
    {
        public void Dispose()
        {
            Nomad.Dispose();
            Cloud.Dispose();
        }
    }
}
