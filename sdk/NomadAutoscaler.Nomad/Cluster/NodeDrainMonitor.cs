using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad.Internal;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Waits for a node drain to finish, as Go's <c>Nodes().MonitorDrain</c>: the node must have no
/// <c>DrainStrategy</c> any more AND no allocation may still be pending or running.</summary>
internal static class NodeDrainMonitor
{
    /// <summary>Poll interval used only when Nomad sends no index (which would otherwise turn blocking reads into a busy loop).</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task WaitAsync(NomadClient client, string nodeId, ulong drainIndex, bool ignoreSystemJobs,
        TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new List<Task>
        {
            WatchNodeAsync(client, nodeId, drainIndex, timeProvider, logger, cts.Token),
            WatchAllocationsAsync(client, nodeId, ignoreSystemJobs, timeProvider, logger, cts.Token),
        };
        var all = pending.ToArray();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully) continue;

            // Stop the other watcher and wait for it, so no loop outlives this call; then report the first failure.
            // Cancel, not CancelAsync: CancelAsync resumes on the thread pool, which moves the rest of the scale-in
            // off the caller's thread; a host running plugins in virtual time on one thread (the scaling lab) must
            // never see that, or its runs stop repeating.
            cts.Cancel();
            try
            {
                await Task.WhenAll(all).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The other watcher's cancellation is expected; the first failure is rethrown below.
            }

            await done.ConfigureAwait(false);
        }
    }

    private static async Task WatchNodeAsync(NomadClient client, string nodeId, ulong index, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        while (true)
        {
            QueryResult<Node> result;
            try
            {
                result = await client.GetNodeAsync(nodeId, new QueryOptions { WaitIndex = index, AllowStale = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                throw new ClusterScaleException($"received error while draining node: Error monitoring node: {ex.Message}", ex);
            }

            var node = result.Value;
            if (node.Status == "down") logger.Hclog(LogLevel.Warning, "received node drain message", ("node_id", nodeId), ("msg", $"Node \"{nodeId}\" down"));
            // A finished drain leaves the node ineligible; an eligible node means someone cancelled the drain (a
            // scale-out reclaiming it, an operator), and its instance must not be removed.
            if (node.DrainStrategy is null && node.SchedulingEligibility == "eligible")
                throw new ClusterScaleException($"drain of node {nodeId} was cancelled: the node is eligible again");
            if (node.DrainStrategy is null)
            {
                logger.Hclog(LogLevel.Debug, "received node drain message", ("node_id", nodeId), ("msg", $"Drain complete for node {nodeId}"));
                return;
            }

            index = await NextIndexAsync(index, result.Meta.LastIndex, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WatchAllocationsAsync(NomadClient client, string nodeId, bool ignoreSystemJobs, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        ulong index = 0;
        while (true)
        {
            QueryResult<IReadOnlyList<Allocation>> result;
            try
            {
                result = await client.GetNodeAllocationsAsync(nodeId, new QueryOptions { WaitIndex = index, AllowStale = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                throw new ClusterScaleException($"received error while draining node: Error monitoring allocations: {ex.Message}", ex);
            }

            if (!result.Value.Any(a => BlocksDrain(a, ignoreSystemJobs)))
            {
                logger.Hclog(LogLevel.Debug, "received node drain message", ("node_id", nodeId), ("msg", $"All allocations on node \"{nodeId}\" have stopped"));
                return;
            }

            index = await NextIndexAsync(index, result.Meta.LastIndex, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An allocation keeps the drain open while its client still runs (or is about to run) it;
    /// DesiredStatus=stop alone is not enough.</summary>
    internal static bool BlocksDrain(Allocation allocation, bool ignoreSystemJobs)
    {
        if (allocation.Job is null || string.IsNullOrEmpty(allocation.Job.Type)) return false;
        if (ignoreSystemJobs && allocation.Job.Type == "system") return false;
        return allocation.ClientStatus is "pending" or "running";
    }

    /// <summary>The index for the next read. A reply without an index, or one that did not move while the query was
    /// not blocking, would make the next read return at once; waiting a poll interval keeps that from spinning.</summary>
    private static async Task<ulong> NextIndexAsync(ulong sentIndex, ulong lastIndex, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (lastIndex == 0 || lastIndex <= sentIndex)
            await InlineDelay.DelayAsync(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return lastIndex;
    }
}
