using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Cluster;
using NomadAutoscaler.Plugins.Sdk.Logging;
using NomadAutoscaler.Plugins.Sdk.Nomad;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Counts, grows and shrinks one cloud's server pools. Nova is the source of truth: every call lists the pool
/// again, so a restarted plugin continues where the last one stopped.</summary>
internal sealed class NovaPoolScaler
{
    private const string ShutoffStatus = "SHUTOFF";

    /// <summary>Status meta: vCPUs of the counted servers, from each server's own flavor.</summary>
    public const string PoolVcpusMeta = "os_nova.vcpus";

    /// <summary>Status meta: RAM (MiB) of the counted servers, from each server's own flavor.</summary>
    public const string PoolRamMeta = "os_nova.ram_mb";

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
            _logger.LogDebug("node pool not ready: pool_name={PoolName} reason={Reason}", target.PoolName, ex.Message);
            return new TargetStatus(false, 0);
        }

        var pool = ClusterStatus.Summarise(nodes, target.Cluster.Pool, NodeFilterOptions.FromConfig(new Dictionary<string, string>()), _logger);
        if (!pool.Ready)
        {
            _logger.LogDebug("node pool not ready: pool_name={PoolName} reason={Reason}", target.PoolName, pool.NotReadyReason);
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
            _logger.LogWarning("Detected server in unexpected status: id={Id} state={State}", server.Id, server.Status);
        // A server in ERROR never recovers by itself: delete it now rather than letting it block or inflate the pool.
        await DeleteFailedServersAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (Membership is not null)
            await Membership.RemoveLeftoversAsync(snapshot.Counted.Concat(snapshot.Ignored).Select(s => s.Id).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_lastScale.TryGetValue(target.PoolName, out var last))
            meta[TargetStatusMeta.LastEvent] = ((last.ToUnixTimeMilliseconds()) * 1_000_000L).ToString(CultureInfo.InvariantCulture);
        var replaced = await ReplaceUnjoinedAsync(target, nodes, snapshot, meta, cancellationToken).ConfigureAwait(false);
        // With flavor_names a pool mixes flavors, so its size in servers says little: each server's own flavor, as Nova
        // embeds it in the server, gives the pool's real capacity.
        meta[PoolVcpusMeta] = snapshot.Counted.Sum(s => (long)s.Vcpus).ToString(CultureInfo.InvariantCulture);
        meta[PoolRamMeta] = snapshot.Counted.Sum(s => s.RamMB).ToString(CultureInfo.InvariantCulture);
        meta[PoolFlavorsMeta] = string.Join(",", snapshot.Counted.GroupBy(s => s.FlavorName ?? "unknown", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
        return new TargetStatus(snapshot.Settled, snapshot.Counted.Count - replaced) { Meta = meta };
    }

    /// <summary>Deletes up to <c>max_unjoined_replacements</c> ACTIVE servers that never got a Nomad node, so that the
    /// agent, seeing the lower count, creates their replacements. A mapping error deletes nothing. Both are logged and
    /// reported to the decision history through <see cref="TargetStatusMeta.Notice"/>.</summary>
    /// <returns>How many servers were deleted (they no longer count).</returns>
    private async Task<int> ReplaceUnjoinedAsync(PoolTarget target, IReadOnlyList<NodeListStub> nodes, PoolSnapshot snapshot,
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
            return 0;
        }

        if (check.MappingError is { } mappingError)
        {
            _logger.Hclog(LogLevel.Error, "pool servers cannot be mapped to Nomad nodes", ("pool_name", target.PoolName), ("error", mappingError));
            meta[TargetStatusMeta.Notice] = mappingError;
            return 0;
        }

        if (check.Unjoined.Count == 0) return 0;
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
        return deleted.Count;
    }

    public async Task ScaleAsync(ScalingAction action, PoolTarget target, CancellationToken cancellationToken)
    {
        if (action.Count < 0 || target.DryRun)
        {
            _logger.LogInformation("dry-run: not scaling: pool_name={PoolName} desired_count={Desired}", target.PoolName, action.Count);
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

        var current = snapshot.Counted.Count;
        if (action.Count == current)
        {
            _logger.LogInformation("scaling not required: pool_name={PoolName} current_count={Current} strategy_count={Desired}", target.PoolName, current, action.Count);
            throw new ScalingNoOpException($"pool {target.PoolName} already has {current} servers");
        }

        // The agent decided on the count it read before; servers may have come or gone since. Upstream applied the
        // fresh difference whatever its sign, so a stale "up" could delete servers and a stale "down" create them.
        if ((action.Direction == ScalingDirection.Up && action.Count < current) || (action.Direction == ScalingDirection.Down && action.Count > current))
        {
            _logger.LogWarning("not scaling against the decision's direction: pool_name={PoolName} direction={Direction} current_count={Current} desired_count={Desired}",
                target.PoolName, action.Direction == ScalingDirection.Up ? "up" : "down", current, action.Count);
            throw new ScalingNoOpException($"pool {target.PoolName} has {current} servers, a scale {(action.Direction == ScalingDirection.Up ? "up" : "down")} to {action.Count} would go the other way");
        }

        try
        {
            if (action.Count > current) await ScaleOutAsync(target, snapshot, checked((int)(action.Count - current)), ct).ConfigureAwait(false);
            else await ScaleInAsync(target, snapshot, checked((int)(current - action.Count)), ct).ConfigureAwait(false);
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
            _logger.LogWarning("drain hygiene failed: pool_name={PoolName} error={Error}", target.PoolName, ex.Message);
        }
    }

    private ClusterScaleIn NewScaleInHelper(Func<Node, string> lookup) => new(_nomad, lookup, _logger, _time) { SelfNodeId = SelfNodeId };

    // ------------------------------------------------------------------ scale-out

    private async Task ScaleOutAsync(PoolTarget target, PoolSnapshot snapshot, int count, CancellationToken cancellationToken)
    {
        // Cancel instead of boot: a node draining for a scale-in is capacity that is already paid for and booted.
        IReadOnlyList<string> reclaimed;
        try
        {
            reclaimed = await NewScaleInHelper(_ => "").CancelScaleInDrainsAsync(target.Cluster.Pool, count, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex)
        {
            _logger.LogWarning("failed to cancel scale-in drains before scaling out, booting for the whole count: pool_name={PoolName} error={Error}", target.PoolName, ex.Message);
            reclaimed = [];
        }

        if (reclaimed.Count > 0)
        {
            _logger.LogInformation("reclaimed draining nodes instead of booting servers: pool_name={PoolName} reclaimed={Reclaimed} booting={Booting}",
                target.PoolName, reclaimed.Count, count - reclaimed.Count);
            count -= reclaimed.Count;
            if (count == 0) return;
        }

        _logger.LogDebug("getting creation data from configuration");
        var data = await _resolver.ResolveAsync(target, cancellationToken).ConfigureAwait(false);
        var zones = AzBalancer.Pinned(target.AvailabilityZones, count);
        if (target.EvenlySplitAzs)
        {
            var list = target.AvailabilityZones.Count > 0 ? target.AvailabilityZones : await AvailableZonesAsync(cancellationToken).ConfigureAwait(false);
            var histogram = snapshot.Counted.GroupBy(s => s.AvailabilityZone, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            zones = AzBalancer.Assign(list, histogram, count);
        }

        _logger.LogDebug("creating instances: pool_name={PoolName} count={Count}", target.PoolName, count);
        // Zones tried after a server's own when no flavor has room there: the split's list, else availability_zones.
        var fallbackZones = target.EvenlySplitAzs
            ? (target.AvailabilityZones.Count > 0 ? target.AvailabilityZones : await AvailableZonesAsync(cancellationToken).ConfigureAwait(false))
            : target.AvailabilityZones;
        var exhausted = new ConcurrentDictionary<string, Exhaustion>(StringComparer.Ordinal);
        await using var watcher = new ServerWatcher(_cloud.Nova, target.PoolTag, _time, PollInterval, _logger);
        using var gate = new SemaphoreSlim(_options.MaxConcurrentActions);
        var tasks = zones.Select(async zone =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await CreateWithFallbackAsync(target, data, zone, fallbackZones, exhausted, watcher, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.All(t => t.IsCompleted))
        {
            // Every outcome is read below.
        }

        await RemoveDuplicatesAsync(target, cancellationToken).ConfigureAwait(false);
        var created = tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
        var errors = tasks.Where(t => !t.IsCompletedSuccessfully).Select(t => t.Exception?.InnerException?.Message ?? "cancelled").ToList();
        if (errors.Count == 0)
        {
            _logger.LogInformation("successfully performed and verified scaling out: action=scale_out desired_count={Count} pool_name={PoolName}", count, target.PoolName);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _logger.LogWarning("scale-out partially failed: pool_name={PoolName} requested={Requested} created={Created} errors={Errors}",
            target.PoolName, count, created.Count, string.Join("; ", errors.Distinct()));
        throw new InvalidOperationException(
            $"failed to perform scaling action: scale-out of pool {target.PoolName} created {created.Count} of {count} servers: {string.Join("; ", errors.Distinct())}");
    }

    private async Task<IReadOnlyList<string>> AvailableZonesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var zones = (await _cloud.Nova.ListAvailabilityZonesAsync(cancellationToken).ConfigureAwait(false))
                .Where(z => z.Available && z.Name != "nova").Select(z => z.Name).ToList();
            return zones.Count > 0 ? zones : _defaultZones;
        }
        catch (OpenStackApiException ex)
        {
            _logger.LogWarning("failed to list availability zones, using the ones discovered at set-up: error={Error}", ex.Message);
            return _defaultZones;
        }
    }

    /// <summary>Why a flavor (in a zone, or anywhere for a quota) is known to have no room in this scale-out.</summary>
    private sealed record Exhaustion(string Reason, string Message);

    private static string QuotaKey(Flavor flavor) => flavor.Id + "|*";

    private static string HostKey(Flavor flavor, string? zone) => flavor.Id + "|" + zone;

    /// <summary>Creates one server with the first flavor that has room, in its zone and then in the other zones.
    /// Combinations that ran out of room for any server of this scale-out are skipped, so a quota is hit once.</summary>
    private async Task<string> CreateWithFallbackAsync(PoolTarget target, CreationData data, string? zone, IReadOnlyList<string> fallbackZones,
        ConcurrentDictionary<string, Exhaustion> exhausted, ServerWatcher watcher, CancellationToken cancellationToken)
    {
        IReadOnlyList<string?> zoneOrder = zone is null ? [null] : [zone, .. fallbackZones.Where(z => z != zone).Distinct(StringComparer.Ordinal)];
        var first = (Flavor: data.Flavors[0], Zone: zone);
        var canFallBack = data.Flavors.Count > 1 || zoneOrder.Count > 1;
        Exhaustion? why = null;
        foreach (var candidateZone in zoneOrder)
        {
            foreach (var flavor in data.Flavors)
            {
                if (exhausted.TryGetValue(QuotaKey(flavor), out var known) || exhausted.TryGetValue(HostKey(flavor, candidateZone), out known))
                {
                    why ??= known;
                    continue;
                }

                if (why is not null)
                {
                    _logger.Hclog(LogLevel.Warning, "no room for the preferred flavor or zone, falling back", ("pool_name", target.PoolName),
                        ("reason", why.Reason), ("from_flavor", first.Flavor.Name), ("from_zone", first.Zone ?? ""), ("flavor", flavor.Name),
                        ("zone", candidateZone ?? ""), ("error", why.Message));
                    OsNovaMetrics.Fallbacks.Add(1, new KeyValuePair<string, object?>("pool_name", target.PoolName),
                        new KeyValuePair<string, object?>("reason", why.Reason), new KeyValuePair<string, object?>("flavor", flavor.Name),
                        new KeyValuePair<string, object?>("zone", candidateZone ?? ""));
                }

                try
                {
                    return await CreateOneAsync(target, data, flavor, candidateZone, canFallBack, watcher, cancellationToken).ConfigureAwait(false);
                }
                catch (NoRoomFailure ex)
                {
                    why = new Exhaustion(ex.IsQuota ? "quota" : "no_valid_host", ex.Message);
                    exhausted.TryAdd(ex.IsQuota ? QuotaKey(flavor) : HostKey(flavor, candidateZone), why);
                }
            }
        }

        throw new ServerActionFailure(why is null ? "no flavor to create with" : $"no flavor or zone has room (last: {why.Message})");
    }

    /// <param name="canFallBack">False when no other flavor or zone is left: a "No valid host" server is then retried
    /// once as any other server in ERROR (capacity may have been freed meanwhile).</param>
    private async Task<string> CreateOneAsync(PoolTarget target, CreationData data, Flavor flavor, string? zone, bool canFallBack, ServerWatcher watcher,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ActionTimeout);
            var uuid = Guid.NewGuid().ToString();
            var name = target.Name ?? target.NamePrefix + uuid[..13];
            var request = BuildRequest(target, data, flavor, name, uuid, zone);
            string? id = null;
            try
            {
                try
                {
                    id = await CreateReconciledAsync(target, request, timeout.Token).ConfigureAwait(false);
                }
                catch (OpenStackApiException ex) when (ex.IsQuotaExceeded)
                {
                    throw new NoRoomFailure(true, $"quota exceeded for flavor {flavor.Name}: {ex.Detail}");
                }

                _logger.LogDebug("waiting for active status: server={Id}", id);
                var server = await watcher.WaitAsync(id, s => s is null || s.Status is "ACTIVE" or "ERROR", timeout.Token).ConfigureAwait(false);
                if (server is null) throw new ServerActionFailure($"server {id} ({name}) disappeared while building");
                if (server.Status == "ERROR")
                {
                    if (canFallBack) server = await ReadFaultAsync(server, timeout.Token).ConfigureAwait(false);
                    _logger.LogWarning("server went to ERROR, deleting it: id={Id} name={Name} attempt={Attempt} fault={Fault}", id, name, attempt, server.Fault);
                    await CleanupAsync(id).ConfigureAwait(false);
                    id = null;
                    if (canFallBack && server.Fault is { } fault && (fault.Contains("No valid host", StringComparison.OrdinalIgnoreCase) || fault.Contains("quota", StringComparison.OrdinalIgnoreCase)))
                        throw new NoRoomFailure(!fault.Contains("No valid host", StringComparison.OrdinalIgnoreCase), $"flavor {flavor.Name} in zone {zone ?? "(any)"}: {fault}");
                    if (attempt < 2) continue;
                    throw new ServerActionFailure($"server {name} went to ERROR twice (last fault: {server.Fault ?? "none reported"}); deleted");
                }

                _logger.LogDebug("instance boot up completed: server={Id}", id);
                if (data.ExternalNetworkId is { } externalNetworkId) await AttachFloatingIpAsync(target, id, externalNetworkId, timeout.Token).ConfigureAwait(false);
                // Before success is reported: a server outside the load balancer is not the capacity that was asked for.
                if (Membership is not null) await Membership.AddAsync(id, timeout.Token).ConfigureAwait(false);
                return id;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                if (id is not null) await CleanupAsync(id).ConfigureAwait(false);
                throw new ServerActionFailure($"error waiting for server {id ?? name} to get to ACTIVE status: not done within action_timeout {GoDuration.Format(_options.ActionTimeout)}" + (id is null ? "" : "; deleted it"));
            }
            catch (Exception ex) when (id is not null && ex is OpenStackApiException or ServerActionFailure && !cancellationToken.IsCancellationRequested)
            {
                // The server exists but is not what the policy asked for (e.g. no floating IP): do not leave it behind.
                await CleanupAsync(id).ConfigureAwait(false);
                throw new ServerActionFailure($"server {name}: {ex.Message}; deleted it");
            }
        }
    }

    /// <summary>A server that failed scheduling is listed in ERROR before Nova has written its fault (it is buried in
    /// cell0 first): read it again a few times, since the fault decides between a fallback and a retry.</summary>
    private async Task<NovaServer> ReadFaultAsync(NovaServer server, CancellationToken cancellationToken)
    {
        for (var attempt = 0; server.Fault is null && attempt < 5; attempt++)
        {
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            try
            {
                server = await _cloud.Nova.GetServerAsync(server.Id, cancellationToken).ConfigureAwait(false) ?? server;
            }
            catch (OpenStackApiException ex)
            {
                _logger.Hclog(LogLevel.Debug, "failed to read the fault of a server in ERROR", ("id", server.Id), ("error", ex.Message));
            }
        }

        return server;
    }

    /// <summary>Creates a server; when the answer is lost (no answer, 5xx) checks by name whether Nova applied it
    /// before trying again, so a lost answer never creates a second server.</summary>
    private async Task<string> CreateReconciledAsync(PoolTarget target, NovaServerCreateRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _cloud.Nova.CreateServerAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OpenStackApiException ex) when (ex.IsTransient)
            {
                _logger.LogWarning("server create failed with an unknown outcome, checking whether it was applied: name={Name} attempt={Attempt} error={Error}",
                    request.Name, attempt, ex.Message);
                var existing = await FindByNameAsync(target, request.Name, cancellationToken).ConfigureAwait(false);
                if (existing is not null) return existing;
                if (attempt >= 3) throw new ServerActionFailure($"failed to create server {request.Name}: {ex.Message}");
                await Task.Delay(TimeSpan.FromSeconds(attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<string?> FindByNameAsync(PoolTarget target, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var servers = await _cloud.Nova.ListServersAsync(target.PoolTag, cancellationToken).ConfigureAwait(false);
                return servers.Where(s => s.Name == name).OrderBy(s => s.Created).Select(s => s.Id).FirstOrDefault();
            }
            catch (OpenStackApiException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A create whose answer was lost and that was sent again may have produced two servers with one
    /// generated name; keep the oldest.</summary>
    private async Task RemoveDuplicatesAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        if (target.Name is not null) return;
        IReadOnlyList<NovaServer> servers;
        try
        {
            servers = await _cloud.Nova.ListServersAsync(target.PoolTag, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenStackApiException ex)
        {
            _logger.LogWarning("failed to check the pool for duplicate servers: error={Error}", ex.Message);
            return;
        }

        foreach (var group in servers.Where(s => s.TaskState != "deleting").GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.OrderBy(s => s.Created).ThenBy(s => s.Id, StringComparer.Ordinal).Skip(1))
            {
                _logger.LogWarning("deleting duplicate server created by a retried request: id={Id} name={Name}", duplicate.Id, duplicate.Name);
                await CleanupAsync(duplicate.Id).ConfigureAwait(false);
            }
        }
    }

    private NovaServerCreateRequest BuildRequest(PoolTarget target, CreationData data, Flavor flavor, string name, string uuid, string? zone)
    {
        string? userData = null;
        if (data.Template is { } template)
        {
            var rendered = template.Render(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Name"] = name,
                ["AZ"] = zone ?? "",
                ["RandomUUID"] = uuid,
                ["ShortRandomUUID"] = uuid[..13],
                ["PoolName"] = target.PoolName,
            });
            userData = UserDataTemplate.ToUserData(rendered);
        }

        var metadata = new Dictionary<string, string>(target.Metadata, StringComparer.Ordinal) { [PoolTarget.PoolMetadataKey] = target.PoolName };
        return new NovaServerCreateRequest
        {
            Name = name,
            ImageId = data.ImageId,
            FlavorId = flavor.Id,
            NetworkIds = data.NetworkIds,
            SecurityGroups = target.SecurityGroups,
            Metadata = metadata,
            Tags = [.. target.Tags, target.PoolTag],
            AvailabilityZone = zone,
            UserDataBase64 = userData,
            ServerGroupId = target.ServerGroupId,
        };
    }

    private static string FloatingIpDescription(PoolTarget target, string serverId) => $"{target.PoolTag} server:{serverId}";

    private async Task AttachFloatingIpAsync(PoolTarget target, string serverId, string externalNetworkId, CancellationToken cancellationToken)
    {
        var ports = await _cloud.Neutron.ListPortsAsync(serverId, cancellationToken).ConfigureAwait(false);
        if (ports.Count == 0) throw new ServerActionFailure($"instance '{serverId}' has no interfaces");
        var existing = await _cloud.Neutron.ListFloatingIpsAsync(ports[0].Id, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0) return;
        var fip = await _cloud.Neutron.CreateFloatingIpAsync(externalNetworkId, ports[0].Id, FloatingIpDescription(target, serverId), cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("floating-ip attached to server: server={Id} floating_ip={Address}", serverId, fip.Address);
    }

    // ------------------------------------------------------------------ scale-in

    private async Task ScaleInAsync(PoolTarget target, PoolSnapshot snapshot, int count, CancellationToken cancellationToken)
    {
        var byId = !string.IsNullOrEmpty(_options.IdAttribute);
        var servers = snapshot.Counted;
        var names = servers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var baseLookup = NodeRemoteId.ForOpenStack(_options.IdAttribute, _options.NameAttribute);
        Func<Node, string> lookup = byId ? baseLookup : node =>
        {
            // Nomad's hostname attribute may carry a domain (".novalocal") that the Nova name lacks.
            var value = baseLookup(node);
            if (names.Contains(value)) return value;
            var dot = value.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && names.Contains(value[..dot]) ? value[..dot] : value;
        };

        var helper = NewScaleInHelper(lookup);
        if (target.EvenlySplitAzs)
        {
            // Scale-out keeps the zones even; scale-in must too, or a pool drifts to one zone over cycles.
            var zoneOf = servers.GroupBy(s => byId ? s.Id : s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().AvailabilityZone, StringComparer.Ordinal);
            var histogram = servers.GroupBy(s => s.AvailabilityZone, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            helper.ChooseRemovable = (removable, allowed) =>
            {
                var chosen = AzBalancer.ChooseForScaleIn(removable.Select(n => zoneOf.GetValueOrDefault(n.RemoteId) ?? "").ToList(), histogram, allowed)
                    .Select(i => removable[i]).ToList();
                _logger.Hclog(LogLevel.Debug, "scale-in keeps availability zones even", ("pool_name", target.PoolName),
                    ("zones", string.Join(" ", histogram.OrderBy(z => z.Key, StringComparer.Ordinal).Select(z => $"{z.Key}={z.Value}"))),
                    ("chosen", string.Join(" ", chosen.Select(n => $"{n.RemoteId}@{zoneOf.GetValueOrDefault(n.RemoteId)}"))));
                return chosen;
            };
        }

        var remoteIds = byId ? servers.Select(s => s.Id).ToList() : names.ToList();
        IReadOnlyList<ClusterNode> drained;
        IReadOnlyList<ClusterNode> failedDrains = [];
        string? drainError = null;
        try
        {
            drained = await helper.RunPreScaleInTasksAsync(target.Cluster, count, remoteIds, cancellationToken).ConfigureAwait(false);
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
            // Not a failure: the safety rules kept every node, and the reason belongs in the decision history.
            throw new ScalingNoOpException($"pool {target.PoolName}: {ex.Message}", ex);
        }
        catch (ClusterScaleException ex)
        {
            await RestoreAsync(helper, ex.FailedNodes).ConfigureAwait(false);
            throw new InvalidOperationException($"failed to perform pre-scale Nomad scale in tasks: {ex.Message}", ex);
        }

        _logger.LogDebug("deleting OS Nova instances");
        var errors = new List<string>();
        var victims = new List<(ClusterNode Node, NovaServer Server)>();
        var unresolved = new List<ClusterNode>();
        foreach (var node in drained)
        {
            var matches = servers.Where(s => byId ? s.Id == node.RemoteId : s.Name == node.RemoteId).ToList();
            if (matches.Count == 1) victims.Add((node, matches[0]));
            else
            {
                errors.Add(matches.Count == 0 ? $"instance with name {node.RemoteId} not found" : $"{matches.Count} servers are named {node.RemoteId}; not deleting any (use id_attribute)");
                unresolved.Add(node);
            }
        }

        var stopFirst = target.StopFirst ?? _options.StopFirst ?? false;
        var force = target.ForceDelete ?? _options.ForceDelete ?? false;
        await using var watcher = new ServerWatcher(_cloud.Nova, target.PoolTag, _time, PollInterval, _logger);
        using var gate = new SemaphoreSlim(_options.MaxConcurrentActions);
        var deletions = victims.Select(async victim =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await DeleteServerAsync(target, victim.Server, stopFirst, force, watcher, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(deletions).ConfigureAwait(false);
        }
        catch (Exception) when (deletions.All(t => t.IsCompleted))
        {
            // Read per task below.
        }

        var removed = new List<ClusterNode>();
        for (var i = 0; i < victims.Count; i++)
        {
            if (deletions[i].IsCompletedSuccessfully) removed.Add(victims[i].Node);
            else
            {
                errors.Add(deletions[i].Exception?.InnerException?.Message ?? "cancelled");
                unresolved.Add(victims[i].Node);
            }
        }

        if (removed.Count > 0)
        {
            _logger.LogInformation("successfully deleted OS Nova instances: action=scale_in pool_name={PoolName} instances={Instances}", target.PoolName,
                "[" + string.Join(" ", removed.Select(n => $"{{{n.NodeId} {n.RemoteId}}}")) + "]");
            try
            {
                await helper.RunPostScaleInTasksAsync(target.Cluster, removed, cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterScaleException ex)
            {
                errors.Add($"failed to perform post-scale Nomad scale in tasks: {ex.Message}");
            }
        }

        await RestoreAsync(helper, [.. unresolved, .. failedDrains]).ConfigureAwait(false);
        if (drainError is not null) errors.Insert(0, drainError);
        if (errors.Count > 0)
            throw new InvalidOperationException($"failed to perform scaling action: scale-in of pool {target.PoolName} removed {removed.Count} of {count} servers: {string.Join("; ", errors)}");
        _logger.LogInformation("successfully performed and verified scaling in: action=scale_in pool_name={PoolName} count={Count}", target.PoolName, removed.Count);
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
            _logger.LogWarning("failed to restore node eligibility: error={Error}", ex.Message);
        }
    }

    private async Task DeleteServerAsync(PoolTarget target, NovaServer server, bool stopFirst, bool force, ServerWatcher watcher, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ActionTimeout);
        var ct = timeout.Token;
        var step = "delete";
        try
        {
            var floatingIps = await FindFloatingIpsAsync(target, server.Id, ct).ConfigureAwait(false);
            // After the drain, before the server goes: no traffic is sent to a server that is being deleted.
            step = "remove the load balancer member of";
            if (Membership is not null) await Membership.RemoveAsync(server.Id, ct).ConfigureAwait(false);
            if (stopFirst && server.Status != ShutoffStatus)
            {
                step = "stop";
                _logger.LogDebug("stopping instance: server={Id}", server.Id);
                if (await _cloud.Nova.StopServerAsync(server.Id, ct).ConfigureAwait(false))
                {
                    _logger.LogDebug("waiting for shutoff status: server={Id}", server.Id);
                    await watcher.WaitAsync(server.Id, s => s is null || s.Status is ShutoffStatus or "ERROR", ct).ConfigureAwait(false);
                    _logger.LogDebug("instance shutoff completed: server={Id}", server.Id);
                }
            }

            step = "delete";
            _logger.LogDebug("deleting instance: server={Id} force={Force}", server.Id, force);
            _ = force
                ? await _cloud.Nova.ForceDeleteServerAsync(server.Id, ct).ConfigureAwait(false)
                : await _cloud.Nova.DeleteServerAsync(server.Id, ct).ConfigureAwait(false);
            _logger.LogDebug("waiting for instance deletion: server={Id}", server.Id);
            await watcher.WaitAsync(server.Id, s => s is null || s.Status is "DELETED" or "SOFT_DELETED", ct).ConfigureAwait(false);
            _logger.LogDebug("instance deletion completed: server={Id}", server.Id);
            step = "floating ip";
            foreach (var fip in floatingIps)
            {
                await _cloud.Neutron.DeleteFloatingIpAsync(fip.Id, ct).ConfigureAwait(false);
                _logger.LogDebug("instance floating-ip deleted: server={Id} floating_ip={Address}", server.Id, fip.Address);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ServerActionFailure($"server {server.Id}: {step} not done within action_timeout {GoDuration.Format(_options.ActionTimeout)}");
        }
        catch (OpenStackApiException ex)
        {
            throw new ServerActionFailure($"failed to {step} server id {server.Id}: {ex.Message}");
        }
    }

    /// <summary>The floating IPs of a server: those on its ports, and those os-nova created for it (found by description,
    /// also after the port is gone), so nothing depends on memory of an earlier process.</summary>
    private async Task<IReadOnlyList<NeutronFloatingIp>> FindFloatingIpsAsync(PoolTarget target, string serverId, CancellationToken cancellationToken)
    {
        if (target.FloatingIpPoolName is null) return [];
        var result = new Dictionary<string, NeutronFloatingIp>(StringComparer.Ordinal);
        foreach (var port in await _cloud.Neutron.ListPortsAsync(serverId, cancellationToken).ConfigureAwait(false))
        {
            foreach (var fip in await _cloud.Neutron.ListFloatingIpsAsync(port.Id, cancellationToken).ConfigureAwait(false)) result[fip.Id] = fip;
        }

        var description = FloatingIpDescription(target, serverId);
        foreach (var fip in await _cloud.Neutron.ListFloatingIpsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (fip.Description == description) result[fip.Id] = fip;
        }

        return [.. result.Values];
    }

    /// <summary>Releases floating IPs os-nova created for servers of this pool that no longer exist (e.g. the plugin
    /// stopped between deleting a server and releasing its address).</summary>
    private async Task ReleaseOrphanFloatingIpsAsync(PoolTarget target, PoolSnapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            var prefix = target.PoolTag + " server:";
            var known = snapshot.Counted.Concat(snapshot.Failed).Concat(snapshot.Deleting).Concat(snapshot.Ignored).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var fip in await _cloud.Neutron.ListFloatingIpsAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (!fip.Description.StartsWith(prefix, StringComparison.Ordinal) || known.Contains(fip.Description[prefix.Length..]) || fip.PortId is not null) continue;
                _logger.LogWarning("releasing floating IP of a deleted pool server: floating_ip={Address} description={Description}", fip.Address, fip.Description);
                await _cloud.Neutron.DeleteFloatingIpAsync(fip.Id, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OpenStackApiException ex)
        {
            _logger.LogWarning("failed to look for orphan floating IPs: error={Error}", ex.Message);
        }
    }

    private async Task DeleteFailedServersAsync(PoolSnapshot snapshot, CancellationToken cancellationToken)
    {
        foreach (var server in snapshot.Failed)
        {
            _logger.LogWarning("deleting pool server in ERROR status: id={Id} name={Name} fault={Fault}", server.Id, server.Name, server.Fault);
            try
            {
                await _cloud.Nova.DeleteServerAsync(server.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (OpenStackApiException ex)
            {
                _logger.LogWarning("failed to delete server in ERROR status: id={Id} error={Error}", server.Id, ex.Message);
            }
        }
    }

    /// <summary>Best-effort delete with its own budget (the caller's may be spent): a failed create must not leak.</summary>
    private async Task CleanupAsync(string serverId)
    {
        using var budget = new CancellationTokenSource(_options.ActionTimeout, _time);
        try
        {
            if (Membership is not null) await Membership.RemoveAsync(serverId, budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ServerActionFailure or OperationCanceledException)
        {
            _logger.LogWarning("failed to remove the load balancer member of a failed server, the next status check retries: id={Id} error={Error}", serverId, ex.Message);
        }

        try
        {
            await _cloud.Nova.DeleteServerAsync(serverId, budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpenStackApiException or OperationCanceledException)
        {
            _logger.LogError("failed to delete server after a failed create, it may be left behind: id={Id} error={Error}", serverId, ex.Message);
        }
    }
}
