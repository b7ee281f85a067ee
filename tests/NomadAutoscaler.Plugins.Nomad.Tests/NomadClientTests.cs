using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.Sdk;
using static NomadAutoscaler.Plugins.Nomad.Tests.StubNomad;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class NomadClientTests
{
    private static JsonNode ParseBody(RecordedRequest r) => JsonNode.Parse(r.Body!)!;

    [Fact]
    public async Task ListNodes_sends_token_and_resources_flag_and_sorts_newest_first()
    {
        var stub = new StubNomad().On("GET", "/v1/nodes", Json(TestClients.Nodes(
            TestClients.NodeStub("a", 5), TestClients.NodeStub("b", 9), TestClients.NodeStub("c", 7)), index: 42));
        using var client = TestClients.Create(stub);

        var result = await client.ListNodesAsync(includeResources: true);

        Assert.Equal(["b", "c", "a"], result.Value.Select(n => n.ID));
        Assert.Equal(42UL, result.Meta.LastIndex);
        Assert.True(result.Meta.KnownLeader);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("resources=true", request.Query);
        Assert.Equal(TestClients.Token, request.Header("X-Nomad-Token"));
        Assert.Contains("gzip", request.Header("Accept-Encoding"));
        Assert.Equal(2500, result.Value[0].NodeResources!.Cpu!.CpuShares);
    }

    [Fact]
    public async Task ListNodes_parses_docs_fixture_without_resources()
    {
        var stub = new StubNomad().On("GET", "/v1/nodes", Fixture("GET_v1_nodes.os.json"));
        using var client = TestClients.Create(stub);
        var node = Assert.Single((await client.ListNodesAsync()).Value);
        Assert.Equal("f7476465-4d6e-c0de-26d0-e383c49be941", node.ID);
        Assert.Equal("default", node.NodePool);
        Assert.Null(node.NodeResources);
        Assert.Equal("ubuntu", node.Attributes!["os.name"]);
        Assert.Equal(6UL, node.CreateIndex);
    }

    [Fact]
    public async Task GetNode_reads_resources_drain_and_events()
    {
        var stub = new StubNomad().On("GET", "/v1/node/n1", Fixture("GET_v1_node_NODEID.json", 77));
        using var client = TestClients.Create(stub);
        var result = await client.GetNodeAsync("n1");
        Assert.Equal(32000, result.Value.NodeResources!.Cpu!.CpuShares);
        Assert.Null(result.Value.DrainStrategy);
        Assert.Equal("complete", result.Value.LastDrain!.Status);
        Assert.Equal("node maintenance", result.Value.LastDrain.Meta!["message"]);
        Assert.Contains(result.Value.Events!, e => e.Message == "Node drain strategy set" && e.Subsystem == "Drain");
        Assert.Equal(77UL, result.Meta.LastIndex);
    }

    [Fact]
    public async Task GetNode_parses_nanosecond_times_and_deadline()
    {
        var stub = new StubNomad().On("GET", "/v1/node/n1", Json(TestClients.FullNode("n1", TestClients.RunningDrain)));
        using var client = TestClients.Create(stub);
        var drain = (await client.GetNodeAsync("n1")).Value.DrainStrategy!;
        Assert.Equal(TimeSpan.FromMinutes(15), drain.Deadline);
        Assert.Equal(new DateTimeOffset(2026, 8, 21, 12, 15, 0, TimeSpan.Zero), drain.ForceDeadline);
        Assert.Equal(2026, drain.StartedAt!.Value.Year);
    }

    [Fact]
    public async Task Blocking_query_sends_index_wait_and_stale()
    {
        var stub = new StubNomad().On("GET", "/v1/node/n1/allocations", Fixture("GET_v1_node_NODEID_allocations.cluster1-151be1dc.json", 600));
        using var client = TestClients.Create(stub);
        var result = await client.GetNodeAllocationsAsync("n1", new QueryOptions { WaitIndex = 505, WaitTime = TimeSpan.FromSeconds(10), AllowStale = true });
        Assert.Equal("index=505&wait=10000ms&stale=", Assert.Single(stub.Requests).Query);
        Assert.Equal(600UL, result.Meta.LastIndex);
        // Newest first, as the Go client sorts node allocations.
        Assert.Equal([505UL, 425UL, 273UL], result.Value.Select(a => a.CreateIndex));
        Assert.Equal("system", result.Value[0].Job!.Type);
        Assert.Equal(256, result.Value[0].Resources!.MemoryMB);
        Assert.Equal(1617652120512381700L, result.Value.Single(a => a.CreateIndex == 273).CreateTime);
    }

    [Fact]
    public async Task Blocking_query_defaults_wait_to_the_configured_block_query_wait_time()
    {
        var stub = new StubNomad().On("GET", "/v1/scaling/policies", Fixture("GET_v1_scaling_policies.json"));
        using var client = TestClients.Create(stub, options: new NomadClientOptions { Address = "http://n:1", BlockQueryWaitTime = TimeSpan.FromMinutes(2), Namespaces = ["*"] });
        var result = await client.ListScalingPoliciesAsync(new QueryOptions { WaitIndex = 1 });
        Assert.Equal("namespace=%2A&index=1&wait=120000ms", stub.Requests[0].Query);
        Assert.Equal(3, result.Value.Count);
        Assert.Equal("cache", result.Value[2].Target!["Group"]);
    }

    [Fact]
    public async Task Missing_index_header_reads_as_zero()
    {
        var stub = new StubNomad().On("GET", "/v1/status/leader", Json("\"10.0.0.1:4647\"", index: null));
        using var client = TestClients.Create(stub);
        Assert.Equal("10.0.0.1:4647", await client.GetLeaderAsync());
    }

    [Fact]
    public async Task Gzip_replies_are_decompressed()
    {
        var stub = new StubNomad().On("GET", "/v1/status/leader", new StubReply(200, "\"10.0.0.9:4647\"", 3, Gzip: true));
        using var client = TestClients.Create(stub);
        Assert.Equal("10.0.0.9:4647", await client.GetLeaderAsync());
    }

    [Fact]
    public async Task Drain_sends_go_shaped_body_and_returns_index()
    {
        var stub = new StubNomad().On("PUT", "/v1/node/n1/drain", Fixture("PUT_v1_node_NODEID_drain.response.json"));
        using var client = TestClients.Create(stub);
        var response = await client.UpdateDrainAsync("n1", new DrainSpec(TimeSpan.FromMinutes(15), false), false,
            new Dictionary<string, string> { ["drained_by"] = "nomad-autoscaler" });
        Assert.Equal(3742UL, response.Index);
        var body = ParseBody(stub.Requests[0]);
        Assert.Equal("n1", (string)body["NodeID"]!);
        Assert.Equal(900000000000L, (long)body["DrainSpec"]!["Deadline"]!);
        Assert.False((bool)body["DrainSpec"]!["IgnoreSystemJobs"]!);
        Assert.False((bool)body["MarkEligible"]!);
        Assert.Equal("nomad-autoscaler", (string)body["Meta"]!["drained_by"]!);
    }

    [Fact]
    public async Task Drain_cancel_sends_null_spec()
    {
        var stub = new StubNomad().On("PUT", "/v1/node/n1/drain", Fixture("PUT_v1_node_NODEID_drain.response.json"));
        using var client = TestClients.Create(stub);
        await client.UpdateDrainAsync("n1", null, markEligible: true);
        var body = ParseBody(stub.Requests[0]);
        Assert.Null(body["DrainSpec"]);
        Assert.True((bool)body["MarkEligible"]!);
    }

    [Fact]
    public async Task Eligibility_and_purge()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/node/n1/eligibility", Fixture("PUT_v1_node_NODEID_eligibility.response.json"))
            .On("PUT", "/v1/node/n1/purge", Fixture("PUT_v1_node_NODEID_purge.response.json"));
        using var client = TestClients.Create(stub);
        await client.UpdateEligibilityAsync("n1", eligible: true);
        var purge = await client.PurgeNodeAsync("n1");
        Assert.Equal("""{"NodeID":"n1","Eligibility":"eligible"}""", stub.Requests[0].Body);
        Assert.Null(stub.Requests[1].Body);
        Assert.Equal(["71bad787-5ab1-9939-be02-4809441583cd"], purge.EvalIDs);
        Assert.Equal(3817UL, purge.EvalCreateIndex);
    }

    [Fact]
    public async Task Job_reads_escape_slashes_in_job_ids()
    {
        var stub = new StubNomad()
            .On("GET", "/v1/job/parent/dispatch-1/scale", Fixture("GET_v1_job_JOBID_scale.json", 18))
            .On("GET", "/v1/job/parent/dispatch-1", Fixture("GET_v1_job_JOBID.full-scaling.json", 28))
            .On("GET", "/v1/job/parent/dispatch-1/allocations", Fixture("GET_v1_job_JOBID_allocations.json", 30));
        using var client = TestClients.Create(stub);
        var scale = await client.GetJobScaleStatusAsync("parent/dispatch-1", new QueryOptions { Namespace = "prod" });
        var job = await client.GetJobAsync("parent/dispatch-1");
        var allocs = await client.GetJobAllocationsAsync("parent/dispatch-1");

        Assert.Equal("/v1/job/parent%2Fdispatch-1/scale?namespace=prod", stub.Requests[0].PathAndQuery);
        Assert.Equal("all=false", stub.Requests[2].Query);
        Assert.Equal(1, scale.Value.TaskGroups!["cache"].Desired);
        Assert.Equal(1751038605162034000L, job.Value.SubmitTime);
        var group = Assert.Single(job.Value.TaskGroups!);
        Assert.Equal(300, group.Tasks![0].Resources!.MemoryMB);
        Assert.Equal(2, group.Scaling!.Min);
        Assert.Equal(JsonValueKind.Array, group.Scaling.Policy!["check"].ValueKind);
        Assert.Equal("running", allocs.Value[0].ClientStatus);
    }

    [Fact]
    public async Task Scale_sends_null_count_meta_and_target()
    {
        var stub = new StubNomad().On("PUT", "/v1/job/web/scale", Fixture("PUT_v1_job_JOBID_scale.response.json"));
        using var client = TestClients.Create(stub);
        var reply = await client.ScaleJobAsync("web", new ScalingRequest
        {
            Count = null,
            Target = new Dictionary<string, string> { ["Job"] = "web", ["Group"] = "g" },
            Message = "dry",
            Meta = new Dictionary<string, JsonNode?> { ["nomad_policy_id"] = "p1" },
        }, new WriteOptions { Namespace = "ns1" });
        Assert.Equal("116f3ede-f6a5-f6e7-2d0e-1fda136390f0", reply.EvalID);
        Assert.Equal("namespace=ns1", stub.Requests[0].Query);
        var body = ParseBody(stub.Requests[0]);
        Assert.True(body.AsObject().ContainsKey("Count"));
        Assert.Null(body["Count"]);
        Assert.Equal("g", (string)body["Target"]!["Group"]!);
        Assert.Equal("p1", (string)body["Meta"]!["nomad_policy_id"]!);
        Assert.False((bool)body["Error"]!);
        Assert.False((bool)body["PolicyOverride"]!);
    }

    [Fact]
    public async Task Scaling_policy_alloc_stats_metrics_and_lists()
    {
        var stub = new StubNomad()
            .On("GET", "/v1/scaling/policy/p1", Fixture("GET_v1_scaling_policy_POLICYID.json", 10))
            .On("GET", "/v1/client/allocation/a1/stats", Fixture("GET_v1_client_allocation_ALLOCID_stats.json", null))
            .On("GET", "/v1/metrics", Fixture("GET_v1_metrics.json", null))
            .On("GET", "/v1/allocation/a1", Json(TestClients.Alloc("a1", "running")))
            .On("GET", "/v1/allocations", Json("[" + TestClients.Alloc("x", "running", createIndex: 1) + "," + TestClients.Alloc("y", "running", createIndex: 3) + "]"))
            .On("GET", "/v1/jobs", Json("""[{"ID":"j","Namespace":"default","Type":"service","JobSummary":{"Summary":{"g":{"Queued":2,"Running":1}}},"SubmitTime":1751038605162034000}]"""))
            .On("GET", "/v1/deployments", Json("""[{"ID":"d","Namespace":"default","JobID":"j","JobCreateIndex":4,"Status":"running"}]"""));
        using var client = TestClients.Create(stub);

        var policy = (await client.GetScalingPolicyAsync("p1")).Value;
        Assert.Equal(10, policy.Max);
        Assert.Equal(6.0, policy.Policy!["value"].GetDouble());
        var stats = await client.GetAllocationStatsAsync("a1");
        Assert.Equal(1495743243970720000L, stats.Timestamp);
        Assert.Equal(3.256693934837093, stats.ResourceUsage!.CpuStats!.TotalTicks);
        Assert.Equal(1486848UL, stats.Tasks!["redis"].ResourceUsage!.MemoryStats!.RSS);
        var metrics = await client.GetMetricsAsync();
        Assert.Equal("nomad.client.allocations.blocked", metrics.Gauges![0].Name);
        Assert.Equal(11, metrics.Counters![0].Count);
        Assert.Equal("running", (await client.GetAllocationAsync("a1")).Value.ClientStatus);
        Assert.Equal(["y", "x"], (await client.ListAllocationsAsync()).Value.Select(a => a.ID));
        var job = Assert.Single((await client.ListJobsAsync()).Value);
        Assert.Equal(2, job.JobSummary!.Summary!["g"].Queued);
        Assert.True(Assert.Single((await client.ListDeploymentsAsync()).Value).IsActive);
    }

    [Fact]
    public async Task Prometheus_metrics_return_text_and_415_maps_to_error()
    {
        var stub = new StubNomad().On("GET", "/v1/metrics", Error(415, "Prometheus is not enabled"));
        using var client = TestClients.Create(stub);
        var ex = await Assert.ThrowsAsync<NomadApiException>(() => client.GetPrometheusMetricsAsync());
        Assert.Equal(415, ex.StatusCode);
        Assert.Equal("format=prometheus", stub.Requests[0].Query);
    }

    [Fact]
    public async Task An_unknown_token_names_no_capability()
    {
        using var client = TestClients.Create(new StubNomad().On("GET", "/v1/node/n1", Error(403, "ACL token not found")));
        var ex = await Assert.ThrowsAsync<NomadPermissionDeniedException>(() => client.GetNodeAsync("n1"));
        Assert.Equal("Unexpected response code: 403 (ACL token not found)", ex.Message);
    }

    [Theory]
    [InlineData(404, "node not found", typeof(NomadNotFoundException))]
    [InlineData(403, "Permission denied", typeof(NomadPermissionDeniedException))]
    [InlineData(409, "conflict", typeof(NomadConflictException))]
    [InlineData(500, "node not found", typeof(NomadApiException))]
    [InlineData(400, "Invalid index", typeof(NomadApiException))]
    public async Task Errors_map_to_typed_exceptions_with_nomad_text(int status, string text, Type expected)
    {
        var stub = new StubNomad().On("GET", "/v1/node/n1", Error(status, text));
        using var client = TestClients.Create(stub);
        var ex = await Assert.ThrowsAnyAsync<NomadApiException>(() => client.GetNodeAsync("n1"));
        Assert.IsType(expected, ex);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(text, ex.NomadMessage);
        // A refused capability also names the call and what it needs (the token's ACL policy is the operator's to fix).
        Assert.Equal(status == 403 ? $"Unexpected response code: 403 ({text}): GET /v1/node/n1 needs the ACL node policy \"read\"" : $"Unexpected response code: {status} ({text})", ex.Message);
        Assert.Equal("/v1/node/n1", ex.Path);
        Assert.DoesNotContain(TestClients.Token, ex.ToString(), StringComparison.Ordinal);
        Assert.Single(stub.Requests); // 4xx and 500 are never retried
    }

    [Fact]
    public async Task Reads_retry_503_with_backoff_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var stub = new StubNomad().On("GET", "/v1/status/leader", Error(503, "busy"), Json("\"l:4647\""));
        using var client = TestClients.Create(stub, time);

        var call = client.GetLeaderAsync();
        await WaitUntil(() => stub.Requests.Count == 1);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Single(stub.Requests);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("l:4647", await call);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Reads_retry_transport_errors_and_give_up_after_max_retries()
    {
        var handler = new FailingHandler();
        using var client = new NomadClient(new NomadClientOptions { Address = "http://n:1", MaxRetries = 2, RetryBaseDelay = TimeSpan.Zero }, handler, new FakeTimeProvider());
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetLeaderAsync());
        Assert.Equal(3, handler.Calls);
        Assert.Contains("Connection refused", ex.Message);
    }

    [Fact]
    public async Task Writes_are_not_retried_on_5xx()
    {
        var stub = new StubNomad().On("PUT", "/v1/node/n1/purge", Error(503, "busy"));
        using var client = TestClients.Create(stub);
        await Assert.ThrowsAsync<NomadApiException>(() => client.PurgeNodeAsync("n1"));
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Lock_acquire_sends_go_body_and_returns_lock()
    {
        var stub = new StubNomad().On("PUT", "/v1/var/nomad-autoscaler/lock", Fixture("PUT_v1_var_PATH.lock-acquire.response.json", 16));
        using var client = TestClients.Create(stub);
        var result = await client.AcquireLockAsync("nomad-autoscaler/lock", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), new WriteOptions { Namespace = "default" });
        Assert.False(result.IsConflict);
        Assert.Equal("670c7248-e2ef-f982-e4c5-f4437f75f1e4", result.LockId);
        Assert.Equal(TimeSpan.FromSeconds(15), result.Variable!.Lock!.TTL);
        Assert.Equal("namespace=default&lock-acquire=", stub.Requests[0].Query);
        var body = ParseBody(stub.Requests[0]);
        Assert.Equal("1m0s", (string)body["Lock"]!["TTL"]!);
        Assert.Equal("30s", (string)body["Lock"]!["LockDelay"]!);
        Assert.Equal("nomad-autoscaler/lock", (string)body["Path"]!);
        Assert.Null(body["Items"]);
    }

    [Fact]
    public async Task Lock_conflicts_are_results_not_exceptions()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/var/app/lock", new StubReply(409, Fixtures.Read("PUT_v1_var_PATH.lock-conflict.409.json"), null, "text/plain"),
                Error(409, "variable doesn't hold a lock"));
        using var client = TestClients.Create(stub);
        var acquire = await client.AcquireLockAsync("app/lock", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        Assert.True(acquire.IsConflict);
        Assert.Equal("example/first", acquire.Variable!.Path);
        Assert.Null(acquire.LockId);
        var renew = await client.RenewLockAsync("app/lock", new VariableLock { ID = "x", TTL = TimeSpan.FromSeconds(15) });
        Assert.True(renew.IsConflict);
        Assert.Equal("variable doesn't hold a lock", renew.ConflictMessage);
    }

    [Fact]
    public async Task Lock_release_sends_only_the_lock_id_and_retries_429()
    {
        var stub = new StubNomad().On("PUT", "/v1/var/app/lock", Error(429, "slow down"), Fixture("PUT_v1_var_PATH.lock-release.response.json", 66));
        using var client = TestClients.Create(stub, options: new NomadClientOptions { Address = "http://n:1" });
        var time = new FakeTimeProvider();
        using var timed = new NomadClient(new NomadClientOptions { Address = "http://n:1" }, stub, time);
        var call = timed.ReleaseLockAsync("app/lock", new VariableLock { ID = "abc", TTL = TimeSpan.FromSeconds(15) });
        await WaitUntil(() => stub.Requests.Count == 1);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await call;
        Assert.False(result.IsConflict);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal("lock-release=", stub.Requests[1].Query);
        var body = ParseBody(stub.Requests[1]);
        Assert.Equal("abc", (string)body["Lock"]!["ID"]!);
        Assert.Equal("", (string)body["Lock"]!["TTL"]!);
        Assert.Equal("", (string)body["Path"]!);
        Assert.Null(body["Items"]);
    }

    [Fact]
    public async Task Lock_calls_are_not_retried_on_500()
    {
        var stub = new StubNomad().On("PUT", "/v1/var/app/lock", Error(500, "1 error occurred:\n\t* missing lock ID\n\n"));
        using var client = TestClients.Create(stub);
        await Assert.ThrowsAsync<NomadApiException>(() => client.RenewLockAsync("app/lock", new VariableLock { ID = "" }));
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Variables_read_write_delete()
    {
        var stub = new StubNomad()
            .On("GET", "/v1/var/missing", Error(404, "variable not found", 12))
            .On("GET", "/v1/var/app/config", Fixture("PUT_v1_var_PATH.response.json", 1457))
            .On("PUT", "/v1/var/app/config", Fixture("PUT_v1_var_PATH.response.json", 1458))
            .On("DELETE", "/v1/var/app/config", new StubReply(204, "", 1459));
        using var client = TestClients.Create(stub);
        var missing = await client.GetVariableAsync("missing");
        Assert.Null(missing.Value);
        Assert.Equal(12UL, missing.Meta.LastIndex);
        Assert.Equal("me", (await client.GetVariableAsync("app/config")).Value!.Items!["user"]);
        await client.PutVariableAsync("app/config", new Dictionary<string, string> { ["k"] = "v" }, checkIndex: 0);
        await client.DeleteVariableAsync("app/config");
        Assert.Equal("cas=0", stub.Requests[2].Query);
        Assert.Equal("v", (string)ParseBody(stub.Requests[2])["Items"]!["k"]!);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetVariableAsync("bad path?"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            cts.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    private sealed class FailingHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (n:1)");
        }
    }
}
