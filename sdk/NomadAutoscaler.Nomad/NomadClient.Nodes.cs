namespace NomadAutoscaler.Nomad;

public sealed partial class NomadClient
{
    /// <summary><c>GET /v1/nodes</c>, sorted by <c>CreateIndex</c>, newest first.</summary>
    /// <param name="includeResources">Adds <see cref="NodeListStub.NodeResources"/> and <see cref="NodeListStub.ReservedResources"/>.</param>
    /// <param name="query">Blocking, prefix and filter options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<QueryResult<IReadOnlyList<NodeListStub>>> ListNodesAsync(bool includeResources = false, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        List<KeyValuePair<string, string>>? extra = includeResources ? [new("resources", "true")] : null;
        var result = await GetAsync("/v1/nodes", query, extra, NomadJsonContext.Default.ListNodeListStub, cancellationToken).ConfigureAwait(false);
        return new(SortNewestFirst(result.Value, n => n.CreateIndex), result.Meta);
    }

    /// <summary><c>GET /v1/node/:id</c>. Throws <see cref="NomadNotFoundException"/> for an unknown node.</summary>
    public Task<QueryResult<Node>> GetNodeAsync(string nodeId, QueryOptions? query = null, CancellationToken cancellationToken = default)
        => GetAsync($"/v1/node/{CheckId(nodeId, nameof(nodeId))}", query, null, NomadJsonContext.Default.Node, cancellationToken);

    /// <summary><c>GET /v1/node/:id/allocations</c> (full allocations), newest first. An unknown node gives an empty list.</summary>
    public async Task<QueryResult<IReadOnlyList<Allocation>>> GetNodeAllocationsAsync(string nodeId, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var result = await GetAsync($"/v1/node/{CheckId(nodeId, nameof(nodeId))}/allocations", query, null, NomadJsonContext.Default.ListAllocation, cancellationToken).ConfigureAwait(false);
        return new(SortNewestFirst(result.Value, a => a.CreateIndex), result.Meta);
    }

    /// <summary><c>PUT /v1/node/:id/drain</c>: starts (or, with a null <paramref name="spec"/>, cancels) a drain.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="spec">The drain; null cancels a running drain.</param>
    /// <param name="markEligible">With a cancel, also makes the node eligible again.</param>
    /// <param name="meta">Stored in the node's <c>LastDrain.Meta</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reply; its <see cref="NodeUpdateResponse.Index"/> is where a drain watch starts.</returns>
    public Task<NodeUpdateResponse> UpdateDrainAsync(string nodeId, DrainSpec? spec, bool markEligible = false,
        IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default)
        => WriteAsync(HttpMethod.Put, $"/v1/node/{CheckId(nodeId, nameof(nodeId))}/drain", null, null,
            new NodeDrainRequest(nodeId, spec, markEligible, meta), NomadJsonContext.Default.NodeDrainRequest,
            NomadJsonContext.Default.NodeUpdateResponse, cancellationToken);

    /// <summary><c>PUT /v1/node/:id/eligibility</c>. Nomad refuses <c>eligible</c> while the node drains (HTTP 500).</summary>
    public Task<NodeUpdateResponse> UpdateEligibilityAsync(string nodeId, bool eligible, CancellationToken cancellationToken = default)
        => WriteAsync(HttpMethod.Put, $"/v1/node/{CheckId(nodeId, nameof(nodeId))}/eligibility", null, null,
            new NodeEligibilityRequest(nodeId, eligible ? "eligible" : "ineligible"), NomadJsonContext.Default.NodeEligibilityRequest,
            NomadJsonContext.Default.NodeUpdateResponse, cancellationToken);

    /// <summary><c>PUT /v1/node/:id/purge</c>: removes the node from Nomad; its allocations become lost.</summary>
    public Task<NodeUpdateResponse> PurgeNodeAsync(string nodeId, CancellationToken cancellationToken = default)
        => WriteAsync<object, NodeUpdateResponse>(HttpMethod.Put, $"/v1/node/{CheckId(nodeId, nameof(nodeId))}/purge", null, null,
            null, null, NomadJsonContext.Default.NodeUpdateResponse, cancellationToken);
}
