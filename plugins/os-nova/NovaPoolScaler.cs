using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Counts, grows and shrinks one cloud's server pools. Nova is the source of truth: every call lists the pool
/// again, so a restarted plugin continues where the last one stopped.</summary>
internal sealed partial class NovaPoolScaler
{
    private const string ShutoffStatus = "SHUTOFF";

    /// <summary>Status meta: vCPUs of the counted servers, from each server's own flavor.</summary>
    public const string PoolVcpusMeta = "os_nova.vcpus";

    /// <summary>Status meta: RAM (MiB) of the counted servers, from each server's own flavor.</summary>
    public const string PoolRamMeta = "os_nova.ram_mb";

    /// <summary>Status meta: counted servers (the count itself is in capacity units with several <c>flavor_names</c>).</summary>
    public const string PoolServersMeta = "os_nova.servers";

    /// <summary>Status meta, with several <c>flavor_names</c>: the capacity unit the count is in, <c>"N vCPUs M MiB"</c>.</summary>
    public const string PoolUnitMeta = "os_nova.unit";

    /// <summary>Status meta: counted servers per flavor, <c>name=count,...</c>.</summary>
    public const string PoolFlavorsMeta = "os_nova.flavors";
    private readonly OpenStackClient _cloud;
    private readonly NomadClient _nomad;
    private readonly OsNovaOptions _options;
    private readonly IReadOnlyList<string> _defaultZones;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResourceResolver _resolver;
    private readonly NodeJoinCheck _joinCheck;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastScale = new(StringComparer.Ordinal);

    public NovaPoolScaler(OpenStackClient cloud, NomadClient nomad, OsNovaOptions options, IReadOnlyList<string> defaultZones,
        TimeProvider time, ILogger logger)
    {
        _cloud = cloud;
        _nomad = nomad;
        _options = options;
        _defaultZones = defaultZones;
        _time = time;
        _logger = logger;
        _resolver = new ResourceResolver(cloud, time, logger);
        _joinCheck = new NodeJoinCheck(nomad, options, time);
    }

    /// <summary>How often servers are polled while waiting for them.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The Nomad node running the autoscaler (never drained).</summary>
    public string? SelfNodeId { get; init; }

    /// <summary>Octavia membership (<c>lb_pool_id</c>), or null.</summary>
    public LoadBalancerMembership? Membership { get; init; }

    /// <summary>Flavor and zone fallbacks, counted and relayed in each pool's status; the plugin's, so that they
    /// outlive a reconfiguration.</summary>
    public FallbackTotals Fallbacks { get; init; } = new();

    public async Task<PoolSnapshot> ReadPoolAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        var servers = await _cloud.Nova.ListServersAsync(target.PoolTag, cancellationToken).ConfigureAwait(false);
        return PoolSnapshot.From(servers, _options.IgnoredStateSet);
    }

    public async Task<TargetStatus> GetStatusAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        await RestoreLeftoverNodesAsync(target, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<NodeListStub> nodes;
        try
        {
            nodes = (await _nomad.ListNodesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            _logger.Hclog(LogLevel.Debug, "node pool not ready", ("pool_name", target.PoolName), ("reason", ex.Message));
            return new TargetStatus(false, 0);
        }

        var pool = ClusterStatus.Summarise(nodes, target.Cluster.Pool, NodeFilterOptions.FromConfig(new Dictionary<string, string>()), _logger);
        if (!pool.Ready)
        {
            _logger.Hclog(LogLevel.Debug, "node pool not ready", ("pool_name", target.PoolName), ("reason", pool.NotReadyReason));
            return new TargetStatus(false, 0);
        }

        PoolSnapshot snapshot;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.StatusTimeout);
            try
            {
                snapshot = await ReadPoolAsync(target, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"failed to count Nova servers: no answer within status_timeout {GoDuration.Format(_options.StatusTimeout)}");
            }
        }

        foreach (var server in snapshot.Counted.Where(s => s.Status != "ACTIVE" && !PoolSnapshot.TransitionalStates.Contains(s.Status, StringComparer.Ordinal)))
            _logger.Hclog(LogLevel.Warning, "detected server in unexpected status", ("id", server.Id), ("state", server.Status));
        // A server in ERROR never recovers by itself: delete it now rather than letting it block or inflate the pool.
        await DeleteFailedServersAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (Membership is not null)
            await Membership.RemoveLeftoversAsync(snapshot.Counted.Concat(snapshot.Ignored).Select(s => s.Id).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_lastScale.TryGetValue(target.PoolName, out var last))
            meta[TargetStatusMeta.LastEvent] = ((last.ToUnixTimeMilliseconds()) * 1_000_000L).ToString(CultureInfo.InvariantCulture);
        var units = await _resolver.ResolveUnitsAsync(target, cancellationToken).ConfigureAwait(false);
        var replaced = await ReplaceUnjoinedAsync(target, nodes, snapshot, meta, cancellationToken).ConfigureAwait(false);
        // With flavor_names a pool mixes flavors, so its size in servers says little: each server's own flavor, as Nova
        // embeds it in the server, gives the pool's real capacity.
        meta[PoolVcpusMeta] = snapshot.Counted.Sum(s => (long)s.Vcpus).ToString(CultureInfo.InvariantCulture);
        meta[PoolRamMeta] = snapshot.Counted.Sum(s => s.RamMB).ToString(CultureInfo.InvariantCulture);
        meta[PoolFlavorsMeta] = string.Join(",", snapshot.Counted.GroupBy(s => s.FlavorName ?? "unknown", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
        meta[PoolServersMeta] = (snapshot.Counted.Count - replaced.Count).ToString(CultureInfo.InvariantCulture);
        if (units.IsCapacity) meta[PoolUnitMeta] = units.ToString();
        Fallbacks.WriteTo(target.PoolName, meta);
        return new TargetStatus(snapshot.Settled, units.Sum(snapshot.Counted) - units.Sum(replaced)) { Meta = meta };
    }

    /// <summary>Deletes up to <c>max_unjoined_replacements</c> ACTIVE servers that never got a Nomad node, so that the
    /// agent, seeing the lower count, creates their replacements. A mapping error deletes nothing. Both are logged and
    /// reported to the decision history through <see cref="TargetStatusMeta.Notice"/>.</summary>
    /// <returns>The servers deleted (they no longer count).</returns>
    private async Task<IReadOnlyList<NovaServer>> ReplaceUnjoinedAsync(PoolTarget target, IReadOnlyList<NodeListStub> nodes, PoolSnapshot snapshot,
        Dictionary<string, string> meta, CancellationToken cancellationToken)
    {
        JoinCheckResult check;
        try
        {
            check = await _joinCheck.CheckAsync(target, nodes, snapshot.Counted, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            _logger.Hclog(LogLevel.Warning, "failed to check that pool servers joined Nomad", ("pool_name", target.PoolName), ("error", ex.Message));
            return [];
        }

        if (check.MappingError is { } mappingError)
        {
            _logger.Hclog(LogLevel.Error, "pool servers cannot be mapped to Nomad nodes", ("pool_name", target.PoolName), ("error", mappingError));
            meta[TargetStatusMeta.Notice] = mappingError;
            return [];
        }

        if (check.Unjoined.Count == 0) return [];
        var timeout = GoDuration.Format(_options.NodeJoinTimeout);
        var deleted = new List<NovaServer>();
        foreach (var server in check.Unjoined.Take(_options.MaxUnjoinedReplacements))
        {
            _logger.Hclog(LogLevel.Warning, "replacing server that never joined Nomad", ("pool_name", target.PoolName), ("id", server.Id),
                ("name", server.Name), ("active_since", server.LaunchedAt ?? server.Created), ("node_join_timeout", timeout));
            try
            {
                await _cloud.Nova.DeleteServerAsync(server.Id, cancellationToken).ConfigureAwait(false);
                deleted.Add(server);
            }
            catch (OpenStackApiException ex)
            {
                _logger.Hclog(LogLevel.Warning, "failed to delete server that never joined Nomad", ("id", server.Id), ("error", ex.Message));
            }
        }

        var kept = check.Unjoined.Count - deleted.Count;
        if (kept > 0)
            _logger.Hclog(LogLevel.Warning, "servers that never joined Nomad kept for a later evaluation", ("pool_name", target.PoolName), ("count", kept),
                ("max_unjoined_replacements", _options.MaxUnjoinedReplacements));
        meta[TargetStatusMeta.Notice] = $"{check.Unjoined.Count} ACTIVE server(s) have no Nomad node after node_join_timeout {timeout}: "
            + string.Join(", ", check.Unjoined.Select(s => $"{s.Name} ({s.Id})"))
            + $"; deleted {deleted.Count} for replacement" + (kept > 0 ? $", {kept} left for later evaluations (max_unjoined_replacements {_options.MaxUnjoinedReplacements})" : "");
        return deleted;
    }

    public async Task ScaleAsync(ScalingAction action, PoolTarget target, CancellationToken cancellationToken)
    {
        if (action.Count < 0 || target.DryRun)
        {
            _logger.Hclog(LogLevel.Information, "dry-run: not scaling", ("pool_name", target.PoolName), ("desired_count", action.Count));
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ScaleTimeout);
        var ct = timeout.Token;
        PoolSnapshot snapshot;
        try
        {
            snapshot = await ReadPoolAsync(target, ct).ConfigureAwait(false);
        }
        catch (OpenStackApiException ex)
        {
            throw new InvalidOperationException($"failed to count Nova servers: {ex.Message}", ex);
        }

        await DeleteFailedServersAsync(snapshot, ct).ConfigureAwait(false);
        if (target.FloatingIpPoolName is not null) await ReleaseOrphanFloatingIpsAsync(target, snapshot, ct).ConfigureAwait(false);

        var units = await _resolver.ResolveUnitsAsync(target, ct).ConfigureAwait(false);
        var current = units.Sum(snapshot.Counted);
        if (action.Count == current)
        {
            _logger.Hclog(LogLevel.Information, "scaling not required", ("pool_name", target.PoolName), ("current_count", current), ("strategy_count", action.Count));
            throw new ScalingNoOpException($"pool {target.PoolName} already has {current} {units.Noun}");
        }

        // The agent decided on the count it read before; servers may have come or gone since. Upstream applied the
        // fresh difference whatever its sign, so a stale "up" could delete servers and a stale "down" create them.
        if ((action.Direction == ScalingDirection.Up && action.Count < current) || (action.Direction == ScalingDirection.Down && action.Count > current))
        {
            _logger.Hclog(LogLevel.Warning, "not scaling against the decision's direction", ("pool_name", target.PoolName),
                ("direction", action.Direction == ScalingDirection.Up ? "up" : "down"), ("current_count", current), ("desired_count", action.Count));
            throw new ScalingNoOpException($"pool {target.PoolName} has {current} {units.Noun}, a scale {(action.Direction == ScalingDirection.Up ? "up" : "down")} to {action.Count} would go the other way");
        }

        try
        {
            if (action.Count > current) await ScaleOutAsync(target, snapshot, units, checked((int)(action.Count - current)), ct).ConfigureAwait(false);
            else await ScaleInAsync(target, snapshot, units, checked((int)(current - action.Count)), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"failed to perform scaling action: scale_timeout {GoDuration.Format(_options.ScaleTimeout)} reached");
        }
        finally
        {
            _lastScale[target.PoolName] = _time.GetUtcNow();
        }
    }

    /// <summary>Drain hygiene on every evaluation: nodes left ineligible by an earlier scale-in that no longer removes
    /// them get their eligibility back. A failure here is logged; it must not stop the pool from being counted.</summary>
    private async Task RestoreLeftoverNodesAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        try
        {
            await NewScaleInHelper(_ => "").RestoreLeftoverNodesAsync(target.Cluster.Pool, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex)
        {
            _logger.Hclog(LogLevel.Warning, "drain hygiene failed", ("pool_name", target.PoolName), ("error", ex.Message));
        }
    }

    private ClusterScaleIn NewScaleInHelper(Func<Node, string> lookup) => new(_nomad, lookup, _logger, _time) { SelfNodeId = SelfNodeId };
}
