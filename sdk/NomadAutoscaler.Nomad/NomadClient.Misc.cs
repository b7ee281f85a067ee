using System.Text;

namespace NomadAutoscaler.Nomad;

public sealed partial class NomadClient
{
    /// <summary><c>GET /v1/scaling/policies</c>. Use namespace <c>*</c> for all namespaces.</summary>
    /// <param name="query">Namespace, prefix and blocking options.</param>
    /// <param name="job">Only policies of this job (exact match; ignored with a prefix or namespace <c>*</c>).</param>
    /// <param name="type">Only policies whose type starts with this.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<QueryResult<IReadOnlyList<ScalingPolicyListStub>>> ListScalingPoliciesAsync(QueryOptions? query = null, string? job = null, string? type = null, CancellationToken cancellationToken = default)
    {
        var extra = new List<KeyValuePair<string, string>>();
        AddIfSet(extra, "job", job);
        AddIfSet(extra, "type", type);
        var result = await GetAsync("/v1/scaling/policies", query, extra, NomadJsonContext.Default.ListScalingPolicyListStub, cancellationToken).ConfigureAwait(false);
        return new(result.Value, result.Meta);
    }

    /// <summary><c>GET /v1/scaling/policy/:id</c>. Throws <see cref="NomadNotFoundException"/> for an unknown policy.</summary>
    public Task<QueryResult<ScalingPolicy>> GetScalingPolicyAsync(string policyId, QueryOptions? query = null, CancellationToken cancellationToken = default)
        => GetAsync($"/v1/scaling/policy/{CheckId(policyId, nameof(policyId))}", query, null, NomadJsonContext.Default.ScalingPolicy, cancellationToken);

    /// <summary><c>GET /v1/allocation/:id</c>.</summary>
    public Task<QueryResult<Allocation>> GetAllocationAsync(string allocationId, QueryOptions? query = null, CancellationToken cancellationToken = default)
        => GetAsync($"/v1/allocation/{CheckId(allocationId, nameof(allocationId))}", query, null, NomadJsonContext.Default.Allocation, cancellationToken);

    /// <summary><c>GET /v1/allocations</c>, newest first.</summary>
    public async Task<QueryResult<IReadOnlyList<AllocationListStub>>> ListAllocationsAsync(QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var result = await GetAsync("/v1/allocations", query, null, NomadJsonContext.Default.ListAllocationListStub, cancellationToken).ConfigureAwait(false);
        return new(SortNewestFirst(result.Value, a => a.CreateIndex), result.Meta);
    }

    /// <summary><c>GET /v1/client/allocation/:id/stats</c>: current CPU and memory usage (not blocking).</summary>
    public async Task<AllocationResourceUsage> GetAllocationStatsAsync(string allocationId, CancellationToken cancellationToken = default)
        => (await GetAsync($"/v1/client/allocation/{CheckId(allocationId, nameof(allocationId))}/stats", new QueryOptions(), null,
            NomadJsonContext.Default.AllocationResourceUsage, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary><c>GET /v1/deployments</c>.</summary>
    public async Task<QueryResult<IReadOnlyList<Deployment>>> ListDeploymentsAsync(QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var result = await GetAsync("/v1/deployments", query, null, NomadJsonContext.Default.ListDeployment, cancellationToken).ConfigureAwait(false);
        return new(result.Value, result.Meta);
    }

    /// <summary><c>GET /v1/metrics</c> in JSON.</summary>
    public async Task<MetricsSummary> GetMetricsAsync(CancellationToken cancellationToken = default)
        => (await GetAsync("/v1/metrics", null, null, NomadJsonContext.Default.MetricsSummary, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary><c>GET /v1/metrics?format=prometheus</c>: the Prometheus text format (HTTP 415 when Nomad has it off).</summary>
    public async Task<string> GetPrometheusMetricsAsync(CancellationToken cancellationToken = default)
    {
        var parameters = ReadParameters(null);
        parameters.Add(new("format", "prometheus"));
        var response = await SendAsync(HttpMethod.Get, "/v1/metrics", parameters, null, RetryMode.Read, TimeSpan.Zero, null, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "GET", "/v1/metrics");
        return Encoding.UTF8.GetString(response.Body);
    }

    /// <summary><c>GET /v1/status/leader</c>: the leader's RPC address, or empty when there is none.</summary>
    public async Task<string> GetLeaderAsync(CancellationToken cancellationToken = default)
        => (await GetAsync("/v1/status/leader", null, null, NomadJsonContext.Default.String, cancellationToken).ConfigureAwait(false)).Value;
}
