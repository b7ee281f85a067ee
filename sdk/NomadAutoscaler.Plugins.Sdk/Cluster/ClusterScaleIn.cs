using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk.Nomad;

namespace NomadAutoscaler.Plugins.Sdk.Cluster;

/// <summary>The Nomad side of removing machines from a cluster: pick nodes, drain them, purge them afterwards.
/// A cloud target calls <see cref="RunPreScaleInTasksAsync"/>, terminates the returned instances, then calls
/// <see cref="RunPostScaleInTasksAsync"/> (and <see cref="RestoreEligibilityAsync"/> for instances it failed to remove).</summary>
/// <remarks>A node is only ever returned as removable after its drain completed: Nomad shows no drain strategy
/// any more and none of its allocations is pending or running.</remarks>
public sealed class ClusterScaleIn
{
    private readonly NomadClient _client;
    private readonly Func<Node, string> _remoteIdLookup;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the helper.</summary>
    /// <param name="client">The Nomad client.</param>
    /// <param name="remoteIdLookup">Maps a node to its cloud instance ID; see <see cref="NodeRemoteId"/>.</param>
    /// <param name="logger">Progress and warnings.</param>
    /// <param name="timeProvider">Clock for polling.</param>
    public ClusterScaleIn(NomadClient client, Func<Node, string> remoteIdLookup, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _remoteIdLookup = remoteIdLookup ?? throw new ArgumentNullException(nameof(remoteIdLookup));
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The node that runs the autoscaler; it is never selected.</summary>
    public string? SelfNodeId { get; set; }

    /// <summary>Finds <see cref="SelfNodeId"/> from <c>NOMAD_ALLOC_ID</c> (best effort: failures are logged).</summary>
    public async Task InitializeSelfNodeAsync(Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var allocId = (environment ?? Environment.GetEnvironmentVariable)("NOMAD_ALLOC_ID");
        if (string.IsNullOrEmpty(allocId)) return;
        try
        {
            SelfNodeId = (await _client.GetAllocationAsync(allocId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.NodeID;
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException or ArgumentException)
        {
            _logger.LogWarning("failed to identify the node running the autoscaler: alloc_id={AllocId} error={Error}", allocId, ex.Message);
        }
    }

    /// <summary>Picks up to <paramref name="count"/> pool nodes to remove and maps them to remote IDs.</summary>
    /// <param name="options">Pool, filter and selector.</param>
    /// <param name="count">How many nodes to remove.</param>
    /// <param name="remoteIds">The instances of the cloud group; nodes of other instances are never picked. Null means no restriction.</param>
    /// <param name="cancellationToken">Cancels the selection.</param>
    /// <exception cref="ClusterScaleException">No suitable node, or a node lacks its remote ID.</exception>
    public async Task<IReadOnlyList<ClusterNode>> SelectNodesForScaleInAsync(ClusterScaleInOptions options, int count,
        IReadOnlyCollection<string>? remoteIds, CancellationToken cancellationToken = default)
    {
        if (count < 1) throw new ClusterScaleException("number of nodes requested for removal must be greater than zero");
        var all = (await _client.ListNodesAsync(includeResources: true, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        var eligible = NodePoolFilter.Filter(all, options.Pool, options.Filter).Where(n => n.ID != SelfNodeId).ToList();
        if (eligible.Count == 0) throw new ClusterScaleException($"no nodes unfiltered for pool identifiers: {options.Pool}");

        var errors = new List<string>();
        var mapped = new List<ClusterNode>();
        foreach (var stub in eligible)
        {
            try
            {
                var node = (await _client.GetNodeAsync(stub.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                var remoteId = _remoteIdLookup(node);
                _logger.LogDebug("identified remote provider ID for node: node_id={NodeId} remote_id={RemoteId}", stub.ID, remoteId);
                mapped.Add(new ClusterNode(stub.ID, remoteId, stub));
            }
            catch (Exception ex) when (ex is ClusterScaleException or NomadApiException or HttpRequestException or TimeoutException)
            {
                errors.Add($"node {stub.ID}: {ex.Message}");
            }
        }

        if (errors.Count > 0) throw new ClusterScaleException("failed to identify remote IDs of pool nodes: " + string.Join(", ", errors));

        var remoteSet = remoteIds is null ? null : new HashSet<string>(remoteIds, StringComparer.Ordinal);
        var inGroup = remoteSet is null ? mapped : mapped.Where(n => remoteSet.Contains(n.RemoteId)).ToList();
        if (inGroup.Count == 0) throw new ClusterScaleException("no nodes identified for scaling in action");
        if (count > inGroup.Count)
        {
            _logger.LogWarning("can only identify portion of requested nodes for removal: requested={Requested} available={Available}", count, inGroup.Count);
            count = inGroup.Count;
        }

        var byId = inGroup.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        var selected = await NodeSelector.SelectAsync(_client, inGroup.Select(n => n.Node).ToList(), count, options.Strategy, _logger, cancellationToken).ConfigureAwait(false);
        if (selected.Count == 0) throw new ClusterScaleException($"no nodes selected using strategy {NodeSelector.Name(options.Strategy)}");
        if (selected.Count < count)
            _logger.LogInformation("identified portion of requested nodes for removal: requested={Requested} identified={Identified}", count, selected.Count);

        var result = selected.Select(n => byId[n.ID]).ToList();
        foreach (var node in result)
            _logger.LogDebug("node selected for removal: node_id={NodeId} remote_id={RemoteId}", node.NodeId, node.RemoteId);
        return result;
    }

    /// <summary>Drains the nodes concurrently and waits until every drain has finished.</summary>
    /// <returns>The nodes, all drained: safe to terminate.</returns>
    /// <exception cref="ClusterScaleException">Some drain failed or was cancelled; <see cref="ClusterScaleException.DrainedNodes"/>
    /// lists the nodes that did finish.</exception>
    public async Task<IReadOnlyList<ClusterNode>> DrainAsync(IReadOnlyList<ClusterNode> nodes, DrainSettings settings, CancellationToken cancellationToken = default)
    {
        var tasks = nodes.Select(n => DrainOneAsync(n, settings, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Any(t => !t.IsCompletedSuccessfully))
        {
            var drained = nodes.Where((_, i) => tasks[i].IsCompletedSuccessfully).ToList();
            var failed = nodes.Where((_, i) => !tasks[i].IsCompletedSuccessfully).ToList();
            var firstError = tasks.First(t => !t.IsCompletedSuccessfully).Exception?.InnerException;
            var message = cancellationToken.IsCancellationRequested || firstError is OperationCanceledException
                ? $"context done while monitoring node drain: {string.Join(", ", failed.Select(n => n.NodeId))}"
                : "failed to drain node: " + string.Join(", ", tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.Message));
            throw new ClusterScaleException(message, firstError ?? new OperationCanceledException(cancellationToken))
            {
                DrainedNodes = drained,
                FailedNodes = failed,
            };
        }

        _logger.LogDebug("pre scale-in tasks now complete");
        return nodes;
    }

    private async Task DrainOneAsync(ClusterNode node, DrainSettings settings, CancellationToken cancellationToken)
    {
        _logger.LogInformation("triggering drain on node: node_id={NodeId} deadline={Deadline}", node.NodeId, GoDuration.Format(settings.Deadline));
        NodeUpdateResponse response;
        try
        {
            response = await _client.UpdateDrainAsync(node.NodeId, new DrainSpec(settings.Deadline, settings.IgnoreSystemJobs), false, settings.Meta, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            throw new ClusterScaleException($"node {node.NodeId}: {ex.Message}", ex);
        }

        await NodeDrainMonitor.WaitAsync(_client, node.NodeId, response.Index, settings.IgnoreSystemJobs, _timeProvider, _logger, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("node drain complete: node_id={NodeId}", node.NodeId);
    }

    /// <summary>Selects and drains: returns only nodes whose drain completed.</summary>
    public async Task<IReadOnlyList<ClusterNode>> RunPreScaleInTasksAsync(ClusterScaleInOptions options, int count,
        IReadOnlyCollection<string>? remoteIds, CancellationToken cancellationToken = default)
    {
        var selected = await SelectNodesForScaleInAsync(options, count, remoteIds, cancellationToken).ConfigureAwait(false);
        return await DrainAsync(selected, options.Drain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After the instances are gone: purges the nodes when <see cref="ClusterScaleInOptions.Purge"/> is set.</summary>
    public Task RunPostScaleInTasksAsync(ClusterScaleInOptions options, IReadOnlyList<ClusterNode> nodes, CancellationToken cancellationToken = default)
        => options.Purge ? PurgeAsync(nodes, cancellationToken) : Task.CompletedTask;

    /// <summary>Purges every node, continuing after failures.</summary>
    /// <exception cref="ClusterScaleException">Some purges failed (all errors are listed).</exception>
    public async Task PurgeAsync(IReadOnlyList<ClusterNode> nodes, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        foreach (var node in nodes)
        {
            try
            {
                var response = await _client.PurgeNodeAsync(node.NodeId, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("successfully purged Nomad node: node_id={NodeId} nomad_evals=[{Evals}]", node.NodeId, string.Join(" ", response.EvalIDs ?? []));
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                errors.Add($"node {node.NodeId}: {ex.Message}");
            }
        }

        if (errors.Count > 0) throw new ClusterScaleException("failed to purge nodes: " + string.Join(", ", errors));
    }

    /// <summary>Makes nodes eligible again (for instances that could not be removed), continuing after failures.</summary>
    /// <exception cref="ClusterScaleException">Some updates failed (all errors are listed).</exception>
    public async Task RestoreEligibilityAsync(IReadOnlyList<ClusterNode> nodes, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        foreach (var node in nodes)
        {
            try
            {
                // A node still draining refuses eligibility; cancel the drain with MarkEligible instead.
                await _client.UpdateDrainAsync(node.NodeId, null, markEligible: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("successfully toggled node eligibility: node_id={NodeId}", node.NodeId);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                errors.Add($"node {node.NodeId}: {ex.Message}");
            }
        }

        if (errors.Count > 0) throw new ClusterScaleException("failed to restore node eligibility: " + string.Join(", ", errors));
    }
}
