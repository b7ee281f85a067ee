using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Scale-in: nodes chosen and drained by the SDK helpers, then their servers (and floating IPs) deleted.</summary>
internal sealed partial class NovaPoolScaler
{
    /// <param name="count">What to remove, in <paramref name="units"/>.</param>
    private async Task ScaleInAsync(PoolTarget target, PoolSnapshot snapshot, CapacityUnits units, int count, CancellationToken cancellationToken)
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
        var keyOf = (NovaServer s) => byId ? s.Id : s.Name;
        Func<IReadOnlyList<ClusterNode>, IReadOnlyList<ClusterNode>>? order = null;
        if (target.EvenlySplitAzs)
        {
            // Scale-out keeps the zones even; scale-in must too, or a pool drifts to one zone over cycles.
            var zoneOf = servers.GroupBy(keyOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().AvailabilityZone, StringComparer.Ordinal);
            var histogram = servers.GroupBy(s => s.AvailabilityZone, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            order = removable =>
            {
                var ordered = AzBalancer.ChooseForScaleIn(removable.Select(n => zoneOf.GetValueOrDefault(n.RemoteId) ?? "").ToList(), histogram, removable.Count)
                    .Select(i => removable[i]).ToList();
                _logger.Hclog(LogLevel.Debug, "scale-in keeps availability zones even", ("pool_name", target.PoolName),
                    ("zones", string.Join(" ", histogram.OrderBy(z => z.Key, StringComparer.Ordinal).Select(z => $"{z.Key}={z.Value}"))),
                    ("order", string.Join(" ", ordered.Select(n => $"{n.RemoteId}@{zoneOf.GetValueOrDefault(n.RemoteId)}"))));
                return ordered;
            };
        }

        var nodeCount = count;
        if (units.IsCapacity)
        {
            // Remove servers worth at most the units to remove: a bigger server than what is left to remove stays, or
            // the pool would fall below what the policy asked for.
            var worthOf = servers.GroupBy(keyOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => units.Of(g.First()), StringComparer.Ordinal);
            nodeCount = Math.Min(count, servers.Count);
            var zoneOrder = order;
            order = removable =>
            {
                var left = count;
                var chosen = new List<ClusterNode>();
                foreach (var node in zoneOrder is null ? removable : zoneOrder(removable))
                {
                    var worth = worthOf.GetValueOrDefault(node.RemoteId, 1);
                    if (worth > left) continue;
                    chosen.Add(node);
                    left -= worth;
                    if (left == 0) break;
                }

                if (chosen.Count == 0)
                    throw new ScalingNoOpException($"pool {target.PoolName}: every removable server is worth more than the {count} capacity units to remove");
                return chosen;
            };
        }

        if (order is { } choose) helper.ChooseRemovable = (removable, allowed) => [.. choose(removable).Take(allowed)];

        var remoteIds = byId ? servers.Select(s => s.Id).ToList() : names.ToList();
        IReadOnlyList<ClusterNode> drained;
        IReadOnlyList<ClusterNode> failedDrains = [];
        string? drainError = null;
        try
        {
            drained = await helper.RunPreScaleInTasksAsync(target.Cluster, nodeCount, remoteIds, cancellationToken).ConfigureAwait(false);
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

        _logger.Hclog(LogLevel.Debug, "deleting OS Nova instances");
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
            _logger.Hclog(LogLevel.Information, "successfully deleted OS Nova instances", ("action", "scale_in"), ("pool_name", target.PoolName),
                ("instances", "[" + string.Join(" ", removed.Select(n => $"{{{n.NodeId} {n.RemoteId}}}")) + "]"));
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
            throw new InvalidOperationException($"failed to perform scaling action: scale-in of pool {target.PoolName} removed {removed.Count} of {nodeCount} servers: {string.Join("; ", errors)}");
        _logger.Hclog(LogLevel.Information, "successfully performed and verified scaling in", ("action", "scale_in"), ("pool_name", target.PoolName), ("count", removed.Count));
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
                _logger.Hclog(LogLevel.Debug, "stopping instance", ("server", server.Id));
                if (await _cloud.Nova.StopServerAsync(server.Id, ct).ConfigureAwait(false))
                {
                    _logger.Hclog(LogLevel.Debug, "waiting for shutoff status", ("server", server.Id));
                    await watcher.WaitAsync(server.Id, s => s is null || s.Status is ShutoffStatus or "ERROR", ct).ConfigureAwait(false);
                    _logger.Hclog(LogLevel.Debug, "instance shutoff completed", ("server", server.Id));
                }
            }

            step = "delete";
            _logger.Hclog(LogLevel.Debug, "deleting instance", ("server", server.Id), ("force", force));
            _ = force
                ? await _cloud.Nova.ForceDeleteServerAsync(server.Id, ct).ConfigureAwait(false)
                : await _cloud.Nova.DeleteServerAsync(server.Id, ct).ConfigureAwait(false);
            _logger.Hclog(LogLevel.Debug, "waiting for instance deletion", ("server", server.Id));
            await watcher.WaitAsync(server.Id, s => s is null || s.Status is "DELETED" or "SOFT_DELETED", ct).ConfigureAwait(false);
            _logger.Hclog(LogLevel.Debug, "instance deletion completed", ("server", server.Id));
            step = "floating ip";
            foreach (var fip in floatingIps)
            {
                await _cloud.Neutron.DeleteFloatingIpAsync(fip.Id, ct).ConfigureAwait(false);
                _logger.Hclog(LogLevel.Debug, "instance floating-ip deleted", ("server", server.Id), ("floating_ip", fip.Address));
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
}
