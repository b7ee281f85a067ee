using System.Net;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class HttpSurfaceTests
{
    [Fact]
    public async Task UnknownPath_Is404WithAnEmptyBody_WrongMethodIs405()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var unknown = await h.GetAsync("/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("", unknown.Body);
        var wrong = await h.SendAsync(HttpMethod.Delete, "/v1/nodes");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrong.Status);
        Assert.Equal("Invalid method", wrong.Body);
        Assert.Equal("text/plain; charset=utf-8", wrong.ContentType);
    }

    [Fact]
    public async Task AclMode_RequiresTheManagementToken()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.ManagementToken = "s3cret");
        var missing = await h.GetAsync("/v1/nodes");
        Assert.Equal(HttpStatusCode.Forbidden, missing.Status);
        Assert.Equal("Permission denied", missing.Body);
        var wrong = await h.GetAsync("/v1/nodes", token: "nope");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
        Assert.Equal("ACL token not found", wrong.Body);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/v1/nodes", token: "s3cret")).Status);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/nodes");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await h.Http.SendAsync(bearer)).StatusCode);

        // The leader endpoint needs no ACL, and no answer ever echoes the secret.
        var leader = await h.GetAsync("/v1/status/leader");
        Assert.Equal("\"127.0.0.1:4647\"", leader.Body);
        Assert.Equal(HttpStatusCode.BadRequest, (await h.GetAsync("/v1/nodes?index=x")).Status);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/v1/metrics")).Status);
        var self = await h.GetAsync("/v1/agent/self", token: "s3cret");
        Assert.DoesNotContain("s3cret", self.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AclMode_LastDrainAccessorIsATokenIdentity()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.ManagementToken = "s3cret");
        var nodeId = h.AddNode();
        await h.SendAsync(HttpMethod.Put, $"/v1/node/{nodeId}/drain", """{"DrainSpec":{"Deadline":0}}""", token: "s3cret");
        var node = (await h.GetAsync($"/v1/node/{nodeId}", token: "s3cret")).Json;
        var accessor = node["LastDrain"]!["AccessorID"]!.GetValue<string>();
        Assert.StartsWith("token:", accessor, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", accessor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRegion_Is500NoPathToRegion()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var reply = await h.GetAsync("/v1/nodes?region=mars");
        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        Assert.Equal("No path to region", reply.Body);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/v1/nodes?region=global")).Status);
    }

    [Fact]
    public async Task Namespaces_ScopeJobsAndAllocations()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("web", ns: "prod"));
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("/v1/job/web")).Status);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/v1/job/web?namespace=prod")).Status);
        Assert.Empty((await h.GetAsync("/v1/jobs")).Json.AsArray());
        Assert.Single((await h.GetAsync("/v1/jobs?namespace=*")).Json.AsArray());
        Assert.Single((await h.GetAsync("/v1/allocations?namespace=*")).Json.AsArray());
        Assert.Empty((await h.GetAsync("/v1/job/web/allocations")).Json.AsArray());
    }

    [Fact]
    public async Task AllocationStats_FollowTheWorkload()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("web", count: 2, cpu: 500, memoryMB: 256));
        h.Simulator.SetLoad("web", cpuMhz: 800, memoryMB: 256);
        var allocs = (await h.GetAsync("/v1/job/web/allocations")).Json.AsArray();
        var stats = (await h.GetAsync($"/v1/client/allocation/{allocs[0]!["ID"]!.GetValue<string>()}/stats")).Json;
        Assert.Equal(80.0, stats["ResourceUsage"]!["CpuStats"]!["Percent"]!.GetValue<double>(), 6);
        Assert.Equal(400.0, stats["ResourceUsage"]!["CpuStats"]!["TotalTicks"]!.GetValue<double>(), 6);
        Assert.Equal(128UL * 1024 * 1024, stats["ResourceUsage"]!["MemoryStats"]!["Usage"]!.GetValue<ulong>());

        h.Simulator.SetUsage("web", cpuPercent: 25);
        stats = (await h.GetAsync($"/v1/client/allocation/{allocs[1]!["ID"]!.GetValue<string>()}/stats")).Json;
        Assert.Equal(25.0, stats["ResourceUsage"]!["CpuStats"]!["Percent"]!.GetValue<double>(), 6);

        var unknown = await h.GetAsync("/v1/client/allocation/nope/stats");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("Unknown allocation \"nope\"", unknown.Body);
    }

    [Fact]
    public async Task PrometheusMetrics_UseNomadSeriesNames_And415WhenDisabled()
    {
        await using (var h = await SimulatorHarness.StartAsync())
        {
            var nodeId = h.AddNode(nodeClass: "web");
            h.Simulator.RegisterJob(JobJson.Service("web", count: 2, cpu: 500, nodeClass: "web"));
            var text = (await h.GetAsync("/v1/metrics?format=prometheus")).Body;
            Assert.Contains(
                $"nomad_client_allocated_cpu{{datacenter=\"dc1\",host=\"nomad-sim\",node_class=\"web\",node_id=\"{nodeId}\",node_pool=\"default\",node_scheduling_eligibility=\"eligible\",node_status=\"ready\"}} 1000\n",
                text, StringComparison.Ordinal);
            Assert.Contains("nomad_client_unallocated_cpu{", text, StringComparison.Ordinal);
            Assert.Contains("nomad_nomad_job_summary_running{host=\"nomad-sim\",job=\"web\",namespace=\"default\",task_group=\"cache\"} 2\n", text, StringComparison.Ordinal);
            Assert.Contains("nomad_client_allocs_cpu_total_percent{", text, StringComparison.Ordinal);
            Assert.Contains("nomad_nomad_blocked_evals_total_blocked{host=\"nomad-sim\"} 0\n", text, StringComparison.Ordinal);
        }

        await using var disabled = await SimulatorHarness.StartAsync(o => o.PrometheusMetrics = false);
        var refused = await disabled.GetAsync("/v1/metrics?format=prometheus");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.Status);
        Assert.Equal("Prometheus is not enabled", refused.Body);
    }

    [Fact]
    public async Task JobRegistration_OverHttp_ValidatesLikeNomad()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var empty = await h.PutAsync("/v1/jobs", "");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("Request body is empty", empty.Body);
        var mismatch = await h.PutAsync("/v1/job/other", JobJson.Service("web"));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.Status);
        var ok = await h.SendAsync(HttpMethod.Post, "/v1/job/web", JobJson.Service("web"));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(ok.Json["Index"]!.GetValue<ulong>(), ok.Index);
    }
}
