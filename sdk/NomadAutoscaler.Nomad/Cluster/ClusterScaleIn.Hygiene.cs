using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Nomad.Cluster;

// Drain hygiene and cancel-instead-of-boot: the passes that give back nodes an earlier scale-in left behind.
public sealed partial class ClusterScaleIn
{
    /// <summary>Drain hygiene: pool nodes that an autoscaler drained (drain meta <c>drained_by</c>) and that are still
    /// ready, ineligible and no longer draining - a drain cancelled, or completed without its instance being deleted
    /// (a failed delete, a crashed agent) - get their eligibility back, as do nodes this process marked ineligible and
    /// then failed to restore. Nodes this process is removing are left alone.</summary>
    /// <returns>The IDs of the nodes made eligible again.</returns>
    /// <exception cref="ClusterScaleException">Nomad could not be read, or some nodes could not be updated.</exception>
    public async Task<IReadOnlyList<string>> RestoreLeftoverNodesAsync(NodePoolIdentifier pool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var members = await ListPoolAsync(pool, cancellationToken).ConfigureAwait(false);
        foreach (var node in members.Where(n => n.SchedulingEligibility == "eligible")) RestorePending.TryRemove(node.ID, out _);
        var leftovers = members
            .Where(n => n.Status == "ready" && !n.Drain && n.SchedulingEligibility == "ineligible"
                        && (DrainedByAutoscaler(n) || RestorePending.ContainsKey(n.ID)) && !Removing.ContainsKey(n.ID))
            .ToList();
        var errors = new List<string>();
        var restored = new List<string>();
        foreach (var node in leftovers)
        {
            try
            {
                await _client.UpdateEligibilityAsync(node.ID, true, cancellationToken).ConfigureAwait(false);
                RestorePending.TryRemove(node.ID, out _);
                _logger.Hclog(LogLevel.Information, "restored eligibility of node left behind by an earlier scale-in", ("node_id", node.ID), ("last_drain", node.LastDrain?.Status));
                restored.Add(node.ID);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                errors.Add($"node {node.ID}: {ex.Message}");
            }
        }

        if (errors.Count > 0) throw new ClusterScaleException("failed to restore eligibility of nodes left behind by an earlier scale-in: " + string.Join(", ", errors));
        return restored;
    }

    /// <summary>Cancel instead of boot: cancels up to <paramref name="max"/> drains that an autoscaler started on pool
    /// nodes, most recent first (they have moved the least work), and makes the nodes eligible again. A scale-out
    /// calls this first and boots only for the rest; a scale-in waiting on such a drain sees it cancelled and removes
    /// nothing.</summary>
    /// <returns>The IDs of the nodes whose drain was cancelled.</returns>
    /// <exception cref="ClusterScaleException">Nomad could not be read, or some drains could not be cancelled.</exception>
    public async Task<IReadOnlyList<string>> CancelScaleInDrainsAsync(NodePoolIdentifier pool, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (max < 1) return [];
        var draining = (await ListPoolAsync(pool, cancellationToken).ConfigureAwait(false))
            .Where(n => n.Drain && n.Status == "ready" && DrainedByAutoscaler(n))
            .OrderByDescending(n => n.LastDrain?.StartedAt ?? DateTimeOffset.MinValue)
            .Take(max)
            .ToList();
        var errors = new List<string>();
        var cancelled = new List<string>();
        foreach (var node in draining)
        {
            try
            {
                await _client.UpdateDrainAsync(node.ID, null, markEligible: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                _logger.Hclog(LogLevel.Information, "cancelled scale-in drain instead of booting a server", ("node_id", node.ID));
                cancelled.Add(node.ID);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                errors.Add($"node {node.ID}: {ex.Message}");
            }
        }

        if (errors.Count > 0) throw new ClusterScaleException("failed to cancel scale-in drains: " + string.Join(", ", errors));
        return cancelled;
    }

    private async Task<IReadOnlyList<NodeListStub>> ListPoolAsync(NodePoolIdentifier pool, CancellationToken cancellationToken)
    {
        try
        {
            var nodes = (await _client.ListNodesAsync(query: pool.ListQuery(), cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return nodes.Where(n => pool.Matches(n.NodeClass, n.Datacenter, n.NodePool)).ToList();
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            throw new ClusterScaleException($"failed to list nodes: {ex.Message}", ex);
        }
    }

    private static bool DrainedByAutoscaler(NodeListStub node)
        => node.LastDrain?.Meta?.GetValueOrDefault(ClusterConfigKeys.DrainedBy) == DrainSettings.DrainedByValue;
}
