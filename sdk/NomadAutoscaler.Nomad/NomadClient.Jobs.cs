namespace NomadAutoscaler.Nomad;

public sealed partial class NomadClient
{
    /// <summary><c>GET /v1/jobs</c>.</summary>
    public async Task<QueryResult<IReadOnlyList<JobListStub>>> ListJobsAsync(QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var result = await GetAsync("/v1/jobs", query, null, NomadJsonContext.Default.ListJobListStub, cancellationToken).ConfigureAwait(false);
        return new(result.Value, result.Meta);
    }

    /// <summary><c>GET /v1/job/:id</c>. Throws <see cref="NomadNotFoundException"/> for an unknown job.</summary>
    public Task<QueryResult<Job>> GetJobAsync(string jobId, QueryOptions? query = null, CancellationToken cancellationToken = default)
        => GetAsync($"/v1/job/{EscapeJobId(jobId)}", query, null, NomadJsonContext.Default.Job, cancellationToken);

    /// <summary><c>GET /v1/job/:id/allocations</c>, newest first. An unknown job gives an empty list.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="all">Also allocations of earlier instances of a job with the same ID.</param>
    /// <param name="query">Namespace and blocking options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<QueryResult<IReadOnlyList<AllocationListStub>>> GetJobAllocationsAsync(string jobId, bool all = false, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var result = await GetAsync($"/v1/job/{EscapeJobId(jobId)}/allocations", query, [new("all", all ? "true" : "false")],
            NomadJsonContext.Default.ListAllocationListStub, cancellationToken).ConfigureAwait(false);
        return new(SortNewestFirst(result.Value, a => a.CreateIndex), result.Meta);
    }

    /// <summary><c>GET /v1/job/:id/scale</c>: per-group desired/placed/running counts and scaling events.</summary>
    public Task<QueryResult<JobScaleStatus>> GetJobScaleStatusAsync(string jobId, QueryOptions? query = null, CancellationToken cancellationToken = default)
        => GetAsync($"/v1/job/{EscapeJobId(jobId)}/scale", query, null, NomadJsonContext.Default.JobScaleStatus, cancellationToken);

    /// <summary><c>PUT /v1/job/:id/scale</c>. A null <see cref="ScalingRequest.Count"/> only records an event.
    /// During an active deployment Nomad answers 400 <c>job scaling blocked due to active deployment</c>.</summary>
    public Task<JobRegisterResponse> ScaleJobAsync(string jobId, ScalingRequest request, WriteOptions? options = null, CancellationToken cancellationToken = default)
        => WriteAsync(HttpMethod.Put, $"/v1/job/{EscapeJobId(jobId)}/scale", options, null, request,
            NomadJsonContext.Default.ScalingRequest, NomadJsonContext.Default.JobRegisterResponse, cancellationToken);
}
