using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Clean-up: orphan floating IPs, servers in ERROR, and servers left by a failed create.</summary>
internal sealed partial class NovaPoolScaler
{
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
                _logger.Hclog(LogLevel.Warning, "releasing floating IP of a deleted pool server", ("floating_ip", fip.Address), ("description", fip.Description));
                await _cloud.Neutron.DeleteFloatingIpAsync(fip.Id, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OpenStackApiException ex)
        {
            _logger.Hclog(LogLevel.Warning, "failed to look for orphan floating IPs", ("error", ex.Message));
        }
    }

    private async Task DeleteFailedServersAsync(PoolSnapshot snapshot, CancellationToken cancellationToken)
    {
        foreach (var server in snapshot.Failed)
        {
            _logger.Hclog(LogLevel.Warning, "deleting pool server in ERROR status", ("id", server.Id), ("name", server.Name), ("fault", server.Fault));
            try
            {
                await _cloud.Nova.DeleteServerAsync(server.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (OpenStackApiException ex)
            {
                _logger.Hclog(LogLevel.Warning, "failed to delete server in ERROR status", ("id", server.Id), ("error", ex.Message));
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
            _logger.Hclog(LogLevel.Warning, "failed to remove the load balancer member of a failed server, the next status check retries", ("id", serverId), ("error", ex.Message));
        }

        try
        {
            await _cloud.Nova.DeleteServerAsync(serverId, budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpenStackApiException or OperationCanceledException)
        {
            _logger.Hclog(LogLevel.Error, "failed to delete server after a failed create, it may be left behind", ("id", serverId), ("error", ex.Message));
        }
    }
}
