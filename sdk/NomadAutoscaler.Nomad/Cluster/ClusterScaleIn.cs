using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>The Nomad side of removing machines from a cluster: pick nodes, drain them, purge them afterwards.
/// A cloud target calls <see cref="RunPreScaleInTasksAsync"/>, terminates the returned instances, then calls
/// <see cref="RunPostScaleInTasksAsync"/> (and <see cref="RestoreEligibilityAsync"/> for instances it failed to remove).</summary>
/// <remarks>A node is only ever returned as removable after its drain completed: Nomad shows no drain strategy
/// any more and none of its allocations is pending or running.</remarks>
public sealed partial class ClusterScaleIn
{
    private readonly NomadClient _client;
    private readonly Func<Node, string> _remoteIdLookup;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Nodes this process is removing (from marking ineligible until deleted or restored). Drain hygiene
    /// leaves them alone; process-wide because a target may use one helper per call.</summary>
    private static readonly ConcurrentDictionary<string, byte> Removing = new(StringComparer.Ordinal);

    /// <summary>Nodes this process made (or may have made) ineligible and then failed to make eligible again. Without
    /// a drain they carry no <c>drained_by</c> meta, so drain hygiene would not know them as the autoscaler's.</summary>
    private static readonly ConcurrentDictionary<string, byte> RestorePending = new(StringComparer.Ordinal);

    /// <summary>Forgets what this process knows of the given nodes, as a process that dies does: for a host that runs
    /// an agent's successor in the same process (the scaling lab's agent restart).</summary>
    internal static void ForgetProcessState(IEnumerable<string> nodeIds)
    {
        foreach (var id in nodeIds)
        {
            Removing.TryRemove(id, out _);
            RestorePending.TryRemove(id, out _);
        }
    }

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

    /// <summary>Chooses which of the removable nodes go, when a target knows more than the strategy (e.g. a cloud
    /// keeping its zones even). It gets every node that passed do-not-disrupt and the fit check, in the strategy's
    /// order, and how many may go; it returns at most that many of them (none makes the scale-in a no-op). Any subset
    /// of removable nodes is itself removable, so the safety rules still hold. Null takes the first ones.</summary>
    public Func<IReadOnlyList<ClusterNode>, int, IReadOnlyList<ClusterNode>>? ChooseRemovable { get; set; }

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
            _logger.Hclog(LogLevel.Warning, "failed to identify the node running the autoscaler", ("alloc_id", allocId), ("error", ex.Message));
        }
    }

    /// <summary>Picks up to <paramref name="count"/> pool nodes to remove and maps them to remote IDs. Beyond the
    /// strategy, a node is picked only when nothing protects it (<c>nomad_autoscaler.do_not_disrupt</c>), its work fits
    /// on the nodes that stay (not needed for the <c>empty</c> strategies) and the disruption budget allows it; when
    /// that leaves fewer than asked, the reason is logged.</summary>
    /// <param name="options">Pool, filter and selector.</param>
    /// <param name="count">How many nodes to remove.</param>
    /// <param name="remoteIds">The instances of the cloud group; nodes of other instances are never picked. Null means no restriction.</param>
    /// <param name="cancellationToken">Cancels the selection.</param>
    /// <exception cref="ClusterScaleException">No suitable node (<see cref="ClusterScaleException.NothingRemovable"/> when the
    /// safety rules removed them all), or a node lacks its remote ID.</exception>
    public async Task<IReadOnlyList<ClusterNode>> SelectNodesForScaleInAsync(ClusterScaleInOptions options, int count,
        IReadOnlyCollection<string>? remoteIds, CancellationToken cancellationToken = default)
    {
        if (count < 1) throw new ClusterScaleException("number of nodes requested for removal must be greater than zero");
        var all = (await _client.ListNodesAsync(includeResources: true, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        var eligible = NodePoolFilter.Filter(all, options.Pool, options.Filter).Where(n => n.ID != SelfNodeId).ToList();
        if (eligible.Count == 0) throw new ClusterScaleException($"no nodes unfiltered for pool identifiers: {options.Pool}");

        var errors = new List<string>();
        var mapped = new List<ClusterNode>();
        var fullNodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var stub in eligible)
        {
            try
            {
                var node = (await _client.GetNodeAsync(stub.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                var remoteId = _remoteIdLookup(node);
                _logger.Hclog(LogLevel.Debug, "identified remote provider ID for node", ("node_id", stub.ID), ("remote_id", remoteId));
                mapped.Add(new ClusterNode(stub.ID, remoteId, stub));
                fullNodes[stub.ID] = node;
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
        var requested = count;
        if (count > inGroup.Count)
        {
            _logger.Hclog(LogLevel.Warning, "can only identify portion of requested nodes for removal", ("requested", count), ("available", inGroup.Count));
            count = inGroup.Count;
        }

        var byId = inGroup.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        // The strategy ranks every candidate; the safety rules then take from the front of that ranking.
        var ranked = await NodeSelector.SelectAsync(_client, inGroup.Select(n => n.Node).ToList(), inGroup.Count, options.Strategy, _logger, cancellationToken).ConfigureAwait(false);
        if (ranked.Count == 0) throw new ClusterScaleException($"no nodes selected using strategy {NodeSelector.Name(options.Strategy)}");

        IReadOnlyList<string> accepted, reasons, removable;
        try
        {
            (accepted, reasons, removable) = await ApplySafetyRulesAsync(options, all, ranked.Select(n => fullNodes[n.ID]).ToList(), count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            throw new ClusterScaleException($"failed to read the cluster for the scale-in fit check: {ex.Message}", ex);
        }

        if (accepted.Count == 0)
        {
            var reason = $"scale-in limited to 0 of {requested}: {string.Join("; ", reasons)}";
            _logger.Hclog(LogLevel.Warning, "no node can be removed safely", ("reason", reason));
            throw new ClusterScaleException(reason) { NothingRemovable = true };
        }

        if (accepted.Count < count && reasons.Count > 0)
            _logger.Hclog(LogLevel.Warning, "scale-in limited", ("requested", requested), ("selected", accepted.Count),
                ("reason", $"scale-in limited to {accepted.Count} of {requested}: {string.Join("; ", reasons)}"));
        else if (accepted.Count < count)
            _logger.Hclog(LogLevel.Information, "identified portion of requested nodes for removal", ("requested", count), ("identified", accepted.Count));

        var result = accepted.Select(id => byId[id]).ToList();
        if (ChooseRemovable is { } choose)
        {
            var chosen = choose(removable.Select(id => byId[id]).ToList(), result.Count);
            if (chosen.Count > result.Count || chosen.Any(n => !removable.Contains(n.NodeId, StringComparer.Ordinal)))
                throw new ClusterScaleException("the target chose more nodes for scale-in than allowed, or nodes that are not removable");
            if (chosen.Count == 0)
                throw new ClusterScaleException($"the target kept all {removable.Count} removable nodes") { NothingRemovable = true };
            result = [.. chosen];
        }

        foreach (var node in result)
            _logger.Hclog(LogLevel.Debug, "node selected for removal", ("node_id", node.NodeId), ("remote_id", node.RemoteId));
        return result;
    }

    /// <summary>Filter → fit check → budget over the ranked candidates: the IDs that may go, in rank order, why the
    /// others may not, and every removable one (before the count and budget cut, for <see cref="ChooseRemovable"/>).</summary>
    private async Task<(IReadOnlyList<string> Accepted, IReadOnlyList<string> Reasons, IReadOnlyList<string> Removable)> ApplySafetyRulesAsync(ClusterScaleInOptions options,
        IReadOnlyList<NodeListStub> all, IReadOnlyList<Node> ranked, int count, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        var now = _timeProvider.GetUtcNow();
        var candidates = new List<FitNode>();
        foreach (var node in ranked)
        {
            var allocations = (await _client.GetNodeAllocationsAsync(node.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (DoNotDisrupt.Reason(node, allocations, now) is { } protection)
            {
                reasons.Add(protection);
                continue;
            }

            candidates.Add(new FitNode(node, allocations));
        }

        IReadOnlyList<string> fitting;
        if (options.Strategy is NodeSelectorStrategy.Empty or NodeSelectorStrategy.EmptyIgnoreSystem)
        {
            // The empty strategies only rank nodes with nothing to move.
            fitting = candidates.Select(c => c.Id).ToList();
        }
        else
        {
            var cluster = await ReadClusterAsync(all, candidates, cancellationToken).ConfigureAwait(false);
            var (accepted, rejections) = ScaleInFitCheck.Plan(candidates, cluster, candidates.Count);
            reasons.AddRange(rejections);
            fitting = accepted;
        }

        if (options.MaxDraining is { } budget && fitting.Count > 0)
        {
            var members = all.Where(n => options.Pool.Matches(n.NodeClass, n.Datacenter, n.NodePool) && NodePoolFilter.Classify(n) != NodePoolFilter.NodeState.Gone).ToList();
            var draining = members.Count(n => n.Drain);
            var allowed = Math.Max(0, budget.Limit(members.Count) - draining);
            if (allowed < Math.Min(count, fitting.Count))
            {
                reasons.Add($"max_draining={budget} allows {allowed} more draining node(s) in a pool of {members.Count} with {draining} draining");
                count = allowed;
            }
        }

        return (fitting.Take(count).ToList(), reasons, fitting);
    }

    /// <summary>Every schedulable node of the cluster, with its allocations, as the fit check needs them.</summary>
    private async Task<IReadOnlyList<FitNode>> ReadClusterAsync(IReadOnlyList<NodeListStub> all, IReadOnlyList<FitNode> candidates, CancellationToken cancellationToken)
    {
        var known = candidates.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var cluster = new List<FitNode>(candidates);
        foreach (var stub in all.Where(n => !known.ContainsKey(n.ID) && n.Status == "ready" && n.SchedulingEligibility == "eligible" && !n.Drain))
        {
            var node = (await _client.GetNodeAsync(stub.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var allocations = (await _client.GetNodeAllocationsAsync(stub.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            cluster.Add(new FitNode(node, allocations));
        }

        return cluster;
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

        _logger.Hclog(LogLevel.Debug, "pre scale-in tasks now complete");
        return nodes;
    }

    private async Task DrainOneAsync(ClusterNode node, DrainSettings settings, CancellationToken cancellationToken)
    {
        _logger.Hclog(LogLevel.Information, "triggering drain on node", ("node_id", node.NodeId), ("deadline", GoDuration.Format(settings.Deadline)));
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
        _logger.Hclog(LogLevel.Debug, "node drain complete", ("node_id", node.NodeId));
    }

    /// <summary>Selects, marks the selected nodes ineligible, checks them again (work that landed between selection
    /// and marking must still fit, an <c>empty</c> node must still be empty, nothing may protect it; a node failing that
    /// gets its eligibility back and the step removes fewer), then drains: returns only nodes whose drain completed.</summary>
    /// <exception cref="ClusterScaleException">As <see cref="SelectNodesForScaleInAsync"/> and <see cref="DrainAsync"/>.</exception>
    public async Task<IReadOnlyList<ClusterNode>> RunPreScaleInTasksAsync(ClusterScaleInOptions options, int count,
        IReadOnlyCollection<string>? remoteIds, CancellationToken cancellationToken = default)
    {
        var selected = await SelectNodesForScaleInAsync(options, count, remoteIds, cancellationToken).ConfigureAwait(false);
        var confirmed = await MarkIneligibleAndRecheckAsync(options, selected, count, cancellationToken).ConfigureAwait(false);
        return await DrainAsync(confirmed, options.Drain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Once a node is ineligible nothing new lands on it, so a check made after marking is final; the check
    /// made before it (at selection) could be overtaken by a placement.</summary>
    private async Task<IReadOnlyList<ClusterNode>> MarkIneligibleAndRecheckAsync(ClusterScaleInOptions options, IReadOnlyList<ClusterNode> selected,
        int requested, CancellationToken cancellationToken)
    {
        var marked = new List<ClusterNode>();
        var reasons = new List<string>();
        foreach (var node in selected)
        {
            try
            {
                Removing.TryAdd(node.NodeId, 0);
                await _client.UpdateEligibilityAsync(node.NodeId, false, cancellationToken).ConfigureAwait(false);
                _logger.Hclog(LogLevel.Debug, "marked node ineligible for scale-in", ("node_id", node.NodeId));
                marked.Add(node);
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                // A request that timed out may still have been applied.
                RestorePending.TryAdd(node.NodeId, 0);
                Removing.TryRemove(node.NodeId, out _);
                reasons.Add($"node {node.NodeId} could not be marked ineligible: {ex.Message}");
            }
        }

        IReadOnlyList<string> kept;
        try
        {
            var all = (await _client.ListNodesAsync(includeResources: true, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var now = _timeProvider.GetUtcNow();
            var candidates = new List<FitNode>();
            foreach (var node in marked)
            {
                var full = (await _client.GetNodeAsync(node.NodeId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                var allocations = (await _client.GetNodeAllocationsAsync(node.NodeId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                if (DoNotDisrupt.Reason(full, allocations, now) is { } protection) reasons.Add(protection + " (found after marking it ineligible)");
                else if (options.Strategy is NodeSelectorStrategy.Empty or NodeSelectorStrategy.EmptyIgnoreSystem
                         && !NodeSelector.IsEmpty(allocations, options.Strategy == NodeSelectorStrategy.EmptyIgnoreSystem))
                    reasons.Add($"an allocation landed on node {node.NodeId} between selection and marking it ineligible");
                else candidates.Add(new FitNode(full, allocations));
            }

            if (options.Strategy is NodeSelectorStrategy.Empty or NodeSelectorStrategy.EmptyIgnoreSystem) kept = candidates.Select(c => c.Id).ToList();
            else
            {
                var (accepted, rejections) = ScaleInFitCheck.Plan(candidates, await ReadClusterAsync(all, candidates, cancellationToken).ConfigureAwait(false), candidates.Count);
                reasons.AddRange(rejections.Select(r => r + " (found after marking it ineligible)"));
                kept = accepted;
            }
        }
        catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
        {
            // Unchecked nodes are not drained.
            reasons.Add($"re-check after marking ineligible failed: {ex.Message}");
            kept = [];
        }

        var confirmed = marked.Where(n => kept.Contains(n.NodeId)).ToList();
        var dropped = marked.Where(n => !kept.Contains(n.NodeId)).ToList();
        if (dropped.Count > 0)
        {
            foreach (var node in dropped)
                _logger.Hclog(LogLevel.Warning, "restoring eligibility of node that failed the re-check after marking it ineligible", ("node_id", node.NodeId));
            await RestoreEligibilityAsync(dropped, cancellationToken).ConfigureAwait(false);
        }

        if (confirmed.Count == 0)
        {
            var reason = $"scale-in limited to 0 of {requested}: {string.Join("; ", reasons)}";
            _logger.Hclog(LogLevel.Warning, "no node can be removed safely", ("reason", reason));
            throw new ClusterScaleException(reason) { NothingRemovable = true };
        }

        if (reasons.Count > 0)
            _logger.Hclog(LogLevel.Warning, "scale-in limited", ("requested", requested), ("selected", confirmed.Count),
                ("reason", $"scale-in limited to {confirmed.Count} of {requested}: {string.Join("; ", reasons)}"));
        return confirmed;
    }

    /// <summary>After the instances are gone: purges the nodes when <see cref="ClusterScaleInOptions.Purge"/> is set.</summary>
    public Task RunPostScaleInTasksAsync(ClusterScaleInOptions options, IReadOnlyList<ClusterNode> nodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var node in nodes)
        {
            Removing.TryRemove(node.NodeId, out _);
            RestorePending.TryRemove(node.NodeId, out _);
        }

        return options.Purge ? PurgeAsync(nodes, cancellationToken) : Task.CompletedTask;
    }

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
                _logger.Hclog(LogLevel.Information, "successfully purged Nomad node", ("node_id", node.NodeId), ("nomad_evals", $"[{string.Join(" ", response.EvalIDs ?? [])}]"));
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
                Removing.TryRemove(node.NodeId, out _);
                RestorePending.TryRemove(node.NodeId, out _);
                _logger.Hclog(LogLevel.Information, "successfully toggled node eligibility", ("node_id", node.NodeId));
            }
            catch (Exception ex) when (ex is NomadApiException or HttpRequestException or TimeoutException)
            {
                // No longer being removed: drain hygiene retries it on its next pass.
                RestorePending.TryAdd(node.NodeId, 0);
                Removing.TryRemove(node.NodeId, out _);
                errors.Add($"node {node.NodeId}: {ex.Message}");
            }
        }

        if (errors.Count > 0) throw new ClusterScaleException("failed to restore node eligibility: " + string.Join(", ", errors));
    }
}
