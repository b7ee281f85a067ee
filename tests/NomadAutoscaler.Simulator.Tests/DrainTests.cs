using System.Net;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class DrainTests
{
    private static async Task<JsonArray> NodeAllocs(SimulatorHarness h, string nodeId) => (await h.GetAsync($"/v1/node/{nodeId}/allocations")).Json.AsArray();

    [Fact]
    public async Task Drain_MigratesServiceAllocations_ThenCompletes_LeavingTheNodeIneligible()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.AllocStopDelay = TimeSpan.FromSeconds(2));
        var draining = h.AddNode(name: "draining", cpu: 8000);
        h.Simulator.RegisterJob(JobJson.Service("web", count: 2, cpu: 500));
        var other = h.AddNode(name: "other", cpu: 4000);

        var drain = await h.PutAsync($"/v1/node/{draining}/drain",
            """{"NodeID":"x","DrainSpec":{"Deadline":900000000000,"IgnoreSystemJobs":false},"MarkEligible":false,"Meta":{"drained_by":"nomad-autoscaler"}}""");
        Assert.Equal(HttpStatusCode.OK, drain.Status);
        Assert.Equal(drain.Json["Index"]!.GetValue<ulong>(), drain.Index);

        var node = (await h.GetAsync($"/v1/node/{draining}")).Json;
        Assert.Equal("ineligible", node["SchedulingEligibility"]!.GetValue<string>());
        Assert.True(node["Drain"]!.GetValue<bool>());
        Assert.Equal(900000000000, node["DrainStrategy"]!["Deadline"]!.GetValue<long>());
        Assert.Equal("2026-08-21T12:15:00Z", node["DrainStrategy"]!["ForceDeadline"]!.GetValue<string>());
        Assert.Equal("draining", node["LastDrain"]!["Status"]!.GetValue<string>());
        Assert.Equal("nomad-autoscaler", node["LastDrain"]!["Meta"]!["drained_by"]!.GetValue<string>());

        // Marked for migration and told to stop, but the tasks are still shutting down.
        var allocs = await NodeAllocs(h, draining);
        Assert.All(allocs, a =>
        {
            Assert.Equal("stop", a!["DesiredStatus"]!.GetValue<string>());
            Assert.True(a["DesiredTransition"]!["Migrate"]!.GetValue<bool>());
            Assert.Equal("running", a["ClientStatus"]!.GetValue<string>());
        });
        Assert.Equal(2, (await NodeAllocs(h, other)).Count);

        var watchIndex = (await h.GetAsync($"/v1/node/{draining}")).Index;
        var watch = h.GetAsync($"/v1/node/{draining}?index={watchIndex}&stale=");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        h.Simulator.ProcessTick();
        var done = (await watch).Json;
        Assert.Null(done["DrainStrategy"]);
        Assert.False(done["Drain"]!.GetValue<bool>());
        Assert.Equal("complete", done["LastDrain"]!["Status"]!.GetValue<string>());
        Assert.Equal("ineligible", done["SchedulingEligibility"]!.GetValue<string>());
        Assert.Contains(done["Events"]!.AsArray(), e => e!["Message"]!.GetValue<string>() == "Node drain complete");
        Assert.All(await NodeAllocs(h, draining), a => Assert.Equal("complete", a!["ClientStatus"]!.GetValue<string>()));
        Assert.Equal(2, h.Simulator.GetRunningCount("web", "cache"));
    }

    [Fact]
    public async Task Drain_Deadline_ForcesBatchWorkOff()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("batchy", type: "batch"));
        await h.PutAsync($"/v1/node/{nodeId}/drain", """{"DrainSpec":{"Deadline":10000000000}}""");

        // Batch work is not migrated: it may run until the deadline.
        await h.AdvanceUntilAsync(() => h.Time.GetUtcNow() >= new DateTimeOffset(2026, 8, 21, 12, 0, 9, TimeSpan.Zero), TimeSpan.FromSeconds(1));
        Assert.Equal("running", (await NodeAllocs(h, nodeId))[0]!["ClientStatus"]!.GetValue<string>());
        Assert.True(h.Simulator.GetNodes()[0].Draining);

        await h.AdvanceUntilAsync(() => !h.Simulator.GetNodes()[0].Draining, TimeSpan.FromSeconds(1));
        var node = (await h.GetAsync($"/v1/node/{nodeId}")).Json;
        var complete = node["Events"]!.AsArray().Last()!;
        Assert.Equal("Node drain complete", complete["Message"]!.GetValue<string>());
        Assert.Equal("true", complete["Details"]!["deadline_reached"]!.GetValue<string>());
        Assert.Equal("complete", (await NodeAllocs(h, nodeId))[0]!["ClientStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task Drain_WithNegativeDeadline_ForcesAtOnce()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("batchy", type: "batch"));
        var drain = await h.PutAsync($"/v1/node/{nodeId}/drain", """{"DrainSpec":{"Deadline":-1}}""");
        Assert.Equal(HttpStatusCode.OK, drain.Status);
        Assert.False(h.Simulator.GetNodes()[0].Draining);
        Assert.Equal("stop", (await NodeAllocs(h, nodeId))[0]!["DesiredStatus"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(true, "running")]
    [InlineData(false, "complete")]
    public async Task Drain_SystemJobs_KeptOnlyWithIgnoreSystemJobs(bool ignoreSystemJobs, string systemStatusAfter)
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("sys", type: "system"));
        h.Simulator.RegisterJob(JobJson.Service("web", count: 1));
        await h.PutAsync($"/v1/node/{nodeId}/drain", $$$"""{"DrainSpec":{"Deadline":0,"IgnoreSystemJobs":{{{(ignoreSystemJobs ? "true" : "false")}}}}}""");
        var node = h.Simulator.GetNodes().First(n => n.Id == nodeId);
        Assert.False(node.Draining);
        Assert.Equal("complete", node.LastDrainStatus);
        var system = (await NodeAllocs(h, nodeId)).Single(a => a!["Job"]!["Type"]!.GetValue<string>() == "system")!;
        Assert.Equal(systemStatusAfter, system["ClientStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task CancelDrain_WithMarkEligible_RestoresEligibility()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("batchy", type: "batch"));
        await h.PutAsync($"/v1/node/{nodeId}/drain", """{"DrainSpec":{"Deadline":0}}""");
        var cancel = await h.PutAsync($"/v1/node/{nodeId}/drain", """{"DrainSpec":null,"MarkEligible":true}""");
        Assert.Equal(HttpStatusCode.OK, cancel.Status);
        var node = (await h.GetAsync($"/v1/node/{nodeId}")).Json;
        Assert.Null(node["DrainStrategy"]);
        Assert.Equal("eligible", node["SchedulingEligibility"]!.GetValue<string>());
        Assert.Equal("canceled", node["LastDrain"]!["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Eligibility_WhileDraining_Is500_AndANoOpAnswersIndexZero()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        var noop = await h.PutAsync($"/v1/node/{nodeId}/eligibility", """{"Eligibility":"eligible"}""");
        Assert.Equal(HttpStatusCode.OK, noop.Status);
        Assert.Equal(0UL, noop.Index);
        Assert.Equal(0, noop.Json["Index"]!.GetValue<long>());

        h.Simulator.RegisterJob(JobJson.Service("batchy", type: "batch"));
        await h.PutAsync($"/v1/node/{nodeId}/drain", """{"DrainSpec":{"Deadline":0}}""");
        var refused = await h.PutAsync($"/v1/node/{nodeId}/eligibility", """{"Eligibility":"eligible"}""");
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Equal("can not set node's scheduling eligibility to eligible while it is draining", refused.Body);

        var invalid = await h.PutAsync($"/v1/node/{nodeId}/eligibility", """{"Eligibility":"maybe"}""");
        Assert.Equal(HttpStatusCode.InternalServerError, invalid.Status);
        Assert.Equal("invalid scheduling eligibility \"maybe\"", invalid.Body);
    }

    [Fact]
    public async Task WritesToAnUnknownNode_Are500_ReadsAre404()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var drain = await h.PutAsync("/v1/node/nope/drain", """{"DrainSpec":{"Deadline":0}}""");
        Assert.Equal(HttpStatusCode.InternalServerError, drain.Status);
        Assert.Equal("node not found", drain.Body);
        var purge = await h.SendAsync(HttpMethod.Put, "/v1/node/nope/purge");
        Assert.Equal(HttpStatusCode.InternalServerError, purge.Status);
        var read = await h.GetAsync("/v1/node/nope");
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
        Assert.Equal("node not found", read.Body);
        Assert.StartsWith("text/plain", read.ContentType, StringComparison.Ordinal);
        var unknownSuffix = await h.GetAsync("/v1/node/x/foo");
        Assert.Equal("node not found", unknownSuffix.Body);
        Assert.Equal("[]", (await h.GetAsync("/v1/node/nope/allocations")).Body);
    }

    [Fact]
    public async Task Purge_RemovesTheNode_MarksItsAllocationsLost_AndReplacesThem()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var gone = h.AddNode(name: "gone", cpu: 8000);
        h.Simulator.RegisterJob(JobJson.Service("web", count: 1));
        h.AddNode(name: "stays");
        var purge = await h.SendAsync(HttpMethod.Put, $"/v1/node/{gone}/purge");
        Assert.Equal(HttpStatusCode.OK, purge.Status);
        Assert.Single(purge.Json["EvalIDs"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync($"/v1/node/{gone}")).Status);
        Assert.DoesNotContain((await h.GetAsync("/v1/nodes")).Json.AsArray(), n => n!["ID"]!.GetValue<string>() == gone);
        Assert.Contains((await h.GetAsync("/v1/job/web/allocations")).Json.AsArray(), a => a!["ClientStatus"]!.GetValue<string>() == "lost");
        Assert.Equal(1, h.Simulator.GetRunningCount("web", "cache"));
    }

    [Fact]
    public async Task NodeList_PagesWithNextToken()
    {
        await using var h = await SimulatorHarness.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            h.AddNode();
        }

        var ids = new List<string>();
        var token = "";
        for (var pages = 0; pages < 10; pages++)
        {
            var reply = await h.GetAsync($"/v1/nodes?per_page=2&next_token={token}");
            ids.AddRange(reply.Json.AsArray().Select(n => n!["ID"]!.GetValue<string>()));
            if (!reply.Headers.TryGetValue("X-Nomad-NextToken", out token!))
            {
                break;
            }
        }

        Assert.Equal(h.Simulator.GetNodes().Select(n => n.Id).Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task NodeFilter_UsesServerFieldNames()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var draining = h.AddNode(nodeClass: "web");
        h.AddNode(nodeClass: "db");
        h.Simulator.RegisterJob(JobJson.Service("batchy", type: "batch", nodeClass: "web"));
        await h.PutAsync($"/v1/node/{draining}/drain", """{"DrainSpec":{"Deadline":0}}""");
        var filtered = await h.GetAsync("/v1/nodes?filter=" + Uri.EscapeDataString("DrainStrategy is not nil and NodeClass == \"web\""));
        Assert.Equal(draining, Assert.Single(filtered.Json.AsArray())!["ID"]!.GetValue<string>());
        var bad = await h.GetAsync("/v1/nodes?filter=" + Uri.EscapeDataString("NodeClass ==="));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.StartsWith("failed to create result paginator: failed to read filter expression:", bad.Body, StringComparison.Ordinal);
        var resources = (await h.GetAsync("/v1/nodes?resources=true")).Json[0]!;
        Assert.NotNull(resources["NodeResources"]!["Cpu"]!["CpuShares"]);
        Assert.Null((await h.GetAsync("/v1/nodes")).Json[0]!["NodeResources"]);
    }
}
