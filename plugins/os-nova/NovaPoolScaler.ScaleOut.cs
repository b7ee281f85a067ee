using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Scale-out: servers created across zones and flavors, reconciled by name, with their floating IPs.</summary>
internal sealed partial class NovaPoolScaler
{
    /// <param name="count">What to add, in <paramref name="units"/>.</param>
    private async Task ScaleOutAsync(PoolTarget target, PoolSnapshot snapshot, CapacityUnits units, int count, CancellationToken cancellationToken)
    {
        // Resolving names and cancelling drains are independent round trips: overlap them, a scale-out is waited for.
        var resolving = _resolver.ResolveAsync(target, cancellationToken);
        // Cancel instead of boot: a node draining for a scale-in is capacity that is already paid for and booted.
        IReadOnlyList<string> reclaimed;
        try
        {
            reclaimed = await NewScaleInHelper(_ => "").CancelScaleInDrainsAsync(target.Cluster.Pool, count, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex)
        {
            _logger.Hclog(LogLevel.Warning, "failed to cancel scale-in drains before scaling out, booting for the whole count", ("pool_name", target.PoolName), ("error", ex.Message));
            reclaimed = [];
        }

        if (reclaimed.Count > 0)
        {
            _logger.Hclog(LogLevel.Information, "reclaimed draining nodes instead of booting servers", ("pool_name", target.PoolName),
                ("reclaimed", reclaimed.Count), ("booting", count - reclaimed.Count));
            count -= reclaimed.Count;
            if (count == 0)
            {
                // Nothing to create, so the creation data (and any error in it) does not matter to this scale-out.
                _ = resolving.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return;
            }
        }

        var data = await resolving.ConfigureAwait(false);
        IReadOnlyList<string>? splitZones = null;
        if (target.EvenlySplitAzs)
            splitZones = target.AvailabilityZones.Count > 0 ? target.AvailabilityZones : await AvailableZonesAsync(cancellationToken).ConfigureAwait(false);
        var histogram = snapshot.Counted.GroupBy(s => s.AvailabilityZone, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // Zones tried after a server's own when no flavor has room there: the split's list, else availability_zones.
        var fallbackZones = splitZones ?? target.AvailabilityZones;
        var exhausted = new ConcurrentDictionary<string, Exhaustion>(StringComparer.Ordinal);
        var budget = new UnitBudget(count);
        var created = new List<CreatedServer>();
        var errors = new List<string>();
        await using var watcher = new ServerWatcher(_cloud.Nova, target.PoolTag, _time, PollInterval, _logger);
        using var gate = new SemaphoreSlim(_options.MaxConcurrentActions);
        // One server per missing unit is planned; when fallbacks boot bigger servers, the planned ones they cover stand
        // down. Should a bigger one fail after others stood down for it, the rest is planned again (bounded).
        for (var wave = 1; ; wave++)
        {
            var planned = budget.Missing;
            var zones = splitZones is null ? AzBalancer.Pinned(target.AvailabilityZones, planned) : AzBalancer.Assign(splitZones, histogram, planned);
            _logger.Hclog(LogLevel.Debug, "creating instances", ("pool_name", target.PoolName), ("count", planned));
            var tasks = zones.Select(async zone =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await CreateWithFallbackAsync(target, data, units, budget, zone, fallbackZones, exhausted, watcher, cancellationToken).ConfigureAwait(false);
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

            var done = tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
            foreach (var server in done.OfType<CreatedServer>())
            {
                created.Add(server);
                if (server.Zone is { } zone) histogram[zone] = histogram.GetValueOrDefault(zone) + 1;
            }

            errors.AddRange(tasks.Where(t => !t.IsCompletedSuccessfully).Select(t => t.Exception?.InnerException?.Message ?? "cancelled"));
            if (budget.Missing == 0 || done.All(r => r is not null) || wave == 3 || cancellationToken.IsCancellationRequested) break;
        }

        await RemoveDuplicatesAsync(target, cancellationToken).ConfigureAwait(false);
        var createdUnits = created.Sum(c => c.Units);
        if (errors.Count == 0 && budget.Missing > 0) errors.Add($"{budget.Missing} {units.Noun} still missing after the fallbacks");
        if (errors.Count == 0)
        {
            _logger.Hclog(LogLevel.Information, "successfully performed and verified scaling out", ("action", "scale_out"), ("desired_count", count), ("pool_name", target.PoolName));
            if (units.IsCapacity)
                _logger.Hclog(LogLevel.Debug, "scale-out counted in capacity units", ("pool_name", target.PoolName), ("units", createdUnits), ("servers", created.Count),
                    ("flavors", string.Join(",", created.GroupBy(c => c.Flavor, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"))));
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _logger.Hclog(LogLevel.Warning, "scale-out partially failed", ("pool_name", target.PoolName), ("requested", count), ("created", createdUnits),
            ("errors", string.Join("; ", errors.Distinct())));
        throw new InvalidOperationException(
            $"failed to perform scaling action: scale-out of pool {target.PoolName} created {createdUnits} of {count} {units.Noun}: {string.Join("; ", errors.Distinct())}");
    }

    /// <summary>A server this scale-out created: its flavor, its worth in units and its zone.</summary>
    private sealed record CreatedServer(string Flavor, int Units, string? Zone);

    /// <summary>The units a scale-out still needs, shared by its concurrent creates: a create commits its server's
    /// worth before it starts, and gives it back when it fails.</summary>
    private sealed class UnitBudget(int target)
    {
        private readonly Lock _lock = new();
        private int _committed;

        public int Missing
        {
            get
            {
                lock (_lock) return Math.Max(0, target - _committed);
            }
        }

        /// <summary>False when creates under way already cover the target. A server worth more than what is missing
        /// still goes: a little more capacity beats work left waiting for a whole boot.</summary>
        public bool TryCommit(int units)
        {
            lock (_lock)
            {
                if (_committed >= target) return false;
                _committed += units;
                return true;
            }
        }

        public void Release(int units)
        {
            lock (_lock) _committed -= units;
        }
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
            _logger.Hclog(LogLevel.Warning, "failed to list availability zones, using the ones discovered at set-up", ("error", ex.Message));
            return _defaultZones;
        }
    }

    /// <summary>Why a flavor (in a zone, or anywhere for a quota) is known to have no room in this scale-out.</summary>
    private sealed record Exhaustion(string Reason, string Message);

    private static string QuotaKey(Flavor flavor) => flavor.Id + "|*";

    private static string HostKey(Flavor flavor, string? zone) => flavor.Id + "|" + zone;

    /// <summary>Creates one server with the first flavor that has room, in its zone and then in the other zones.
    /// Combinations that ran out of room for any server of this scale-out are skipped, so a quota is hit once.</summary>
    /// <returns>The server, or null when other creates already cover what the scale-out needs.</returns>
    private async Task<CreatedServer?> CreateWithFallbackAsync(PoolTarget target, CreationData data, CapacityUnits units, UnitBudget budget, string? zone,
        IReadOnlyList<string> fallbackZones, ConcurrentDictionary<string, Exhaustion> exhausted, ServerWatcher watcher, CancellationToken cancellationToken)
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

                var worth = units.Of(flavor);
                if (!budget.TryCommit(worth))
                {
                    _logger.Hclog(LogLevel.Debug, "bigger servers under way cover the scale-out, not creating another", ("pool_name", target.PoolName));
                    return null;
                }

                if (why is not null)
                {
                    _logger.Hclog(LogLevel.Warning, "no room for the preferred flavor or zone, falling back", ("pool_name", target.PoolName),
                        ("reason", why.Reason), ("from_flavor", first.Flavor.Name), ("from_zone", first.Zone ?? ""), ("flavor", flavor.Name),
                        ("zone", candidateZone ?? ""), ("error", why.Message));
                    Fallbacks.Add(target.PoolName, why.Reason, flavor.Name, candidateZone ?? "");
                }

                try
                {
                    await CreateOneAsync(target, data, flavor, candidateZone, canFallBack, watcher, cancellationToken).ConfigureAwait(false);
                    return new CreatedServer(flavor.Name, worth, candidateZone);
                }
                catch (NoRoomFailure ex)
                {
                    budget.Release(worth);
                    why = new Exhaustion(ex.IsQuota ? "quota" : "no_valid_host", ex.Message);
                    exhausted.TryAdd(ex.IsQuota ? QuotaKey(flavor) : HostKey(flavor, candidateZone), why);
                }
                catch
                {
                    budget.Release(worth);
                    throw;
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

                _logger.Hclog(LogLevel.Debug, "waiting for active status", ("server", id));
                var server = await watcher.WaitAsync(id, s => s is null || s.Status is "ACTIVE" or "ERROR", timeout.Token).ConfigureAwait(false);
                if (server is null) throw new ServerActionFailure($"server {id} ({name}) disappeared while building");
                if (server.Status == "ERROR")
                {
                    if (canFallBack) server = await ReadFaultAsync(server, timeout.Token).ConfigureAwait(false);
                    _logger.Hclog(LogLevel.Warning, "server went to ERROR, deleting it", ("id", id), ("name", name), ("attempt", attempt), ("fault", server.Fault));
                    await CleanupAsync(id).ConfigureAwait(false);
                    id = null;
                    if (canFallBack && server.Fault is { } fault && (fault.Contains("No valid host", StringComparison.OrdinalIgnoreCase) || fault.Contains("quota", StringComparison.OrdinalIgnoreCase)))
                        throw new NoRoomFailure(!fault.Contains("No valid host", StringComparison.OrdinalIgnoreCase), $"flavor {flavor.Name} in zone {zone ?? "(any)"}: {fault}");
                    if (attempt < 2) continue;
                    throw new ServerActionFailure($"server {name} went to ERROR twice (last fault: {server.Fault ?? "none reported"}); deleted");
                }

                _logger.Hclog(LogLevel.Debug, "instance boot up completed", ("server", id));
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
                _logger.Hclog(LogLevel.Warning, "server create failed with an unknown outcome, checking whether it was applied",
                    ("name", request.Name), ("attempt", attempt), ("error", ex.Message));
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
            _logger.Hclog(LogLevel.Warning, "failed to check the pool for duplicate servers", ("error", ex.Message));
            return;
        }

        foreach (var group in servers.Where(s => s.TaskState != "deleting").GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.OrderBy(s => s.Created).ThenBy(s => s.Id, StringComparer.Ordinal).Skip(1))
            {
                _logger.Hclog(LogLevel.Warning, "deleting duplicate server created by a retried request", ("id", duplicate.Id), ("name", duplicate.Name));
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
        _logger.Hclog(LogLevel.Debug, "floating-ip attached to server", ("server", serverId), ("floating_ip", fip.Address));
    }
}
