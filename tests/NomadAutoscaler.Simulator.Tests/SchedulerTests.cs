using System.Net;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class SchedulerTests
{
    [Fact]
    public async Task Placement_IsBestFit_OnTheFullestNodeThatFits()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var big = h.AddNode(cpu: 8000, name: "big");
        var small = h.AddNode(cpu: 1000, name: "small");
        h.Simulator.RegisterJob(JobJson.Service("example", count: 1, cpu: 800));
        var allocs = (await h.GetAsync("/v1/job/example/allocations")).Json.AsArray();
        Assert.Equal(small, Assert.Single(allocs)!["NodeID"]!.GetValue<string>());
        // The next one no longer fits on the small node.
        await h.PutAsync("/v1/job/example/scale", """{"Count":2,"Target":{"Group":"cache"}}""");
        var nodes = (await h.GetAsync("/v1/job/example/allocations")).Json.AsArray().Select(a => a!["NodeID"]!.GetValue<string>()).ToHashSet();
        Assert.True(nodes.SetEquals([big, small]));
    }

    [Fact]
    public async Task NodeClassConstraint_LimitsPlacementToThatClass()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode(nodeClass: "other", name: "other");
        var web = h.AddNode(nodeClass: "web", name: "web");
        h.Simulator.RegisterJob(JobJson.Service("example", count: 3, cpu: 100, nodeClass: "web"));
        var allocs = (await h.GetAsync("/v1/job/example/allocations")).Json.AsArray();
        Assert.Equal(3, allocs.Count);
        Assert.All(allocs, a => Assert.Equal(web, a!["NodeID"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Allocations_StayPendingUntilTheClientStartsThem()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.AllocStartDelay = TimeSpan.FromSeconds(2));
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("example", count: 2));
        var scale = (await h.GetAsync("/v1/job/example/scale")).Json;
        Assert.Equal(2, scale["TaskGroups"]!["cache"]!["Placed"]!.GetValue<int>());
        Assert.Equal(0, scale["TaskGroups"]!["cache"]!["Running"]!.GetValue<int>());
        await h.AdvanceUntilAsync(() => h.Simulator.GetRunningCount("example", "cache") == 2, TimeSpan.FromSeconds(1));
        var job = (await h.GetAsync("/v1/job/example")).Json;
        Assert.Equal("running", job["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ShortCapacity_LeavesTheRestQueuedBehindABlockedEval_UntilANodeJoins()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode(cpu: 1000, nodeClass: "web");
        h.Simulator.RegisterJob(JobJson.Service("example", count: 3, cpu: 400, nodeClass: "web"));
        Assert.Equal(2, h.Simulator.GetRunningCount("example", "cache"));
        Assert.Equal(1, h.Simulator.GetQueuedCount("example", "cache"));
        var evals = (await h.GetAsync("/v1/evaluations")).Json.AsArray();
        var blocked = Assert.Single(evals, e => e!["Status"]!.GetValue<string>() == "blocked")!;
        Assert.Equal("queued-allocs", blocked["TriggeredBy"]!.GetValue<string>());
        Assert.Equal(1, blocked["QueuedAllocations"]!["cache"]!.GetValue<int>());
        var prometheus = await h.GetAsync("/v1/metrics?format=prometheus");
        Assert.Contains("nomad_nomad_blocked_evals_total_blocked{host=\"nomad-sim\"} 1\n", prometheus.Body, StringComparison.Ordinal);
        Assert.Contains("nomad_nomad_blocked_evals_cpu{datacenter=\"dc1\",host=\"nomad-sim\",node_class=\"web\",node_pool=\"default\"} 400\n", prometheus.Body, StringComparison.Ordinal);

        h.AddNode(cpu: 1000, nodeClass: "web");
        Assert.Equal(3, h.Simulator.GetRunningCount("example", "cache"));
        Assert.Equal(0, h.Simulator.GetQueuedCount("example", "cache"));
        var evalId = blocked["ID"]!.GetValue<string>();
        Assert.Equal("complete", (await h.GetAsync($"/v1/evaluation/{evalId}")).Json["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task StoppedAllocations_FreeCapacityForQueuedWork()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode(cpu: 1000);
        h.Simulator.RegisterJob(JobJson.Service("first", count: 2, cpu: 500));
        h.Simulator.RegisterJob(JobJson.Service("second", count: 1, cpu: 500));
        Assert.Equal(1, h.Simulator.GetQueuedCount("second", "cache"));
        await h.PutAsync("/v1/job/first/scale", """{"Count":1,"Target":{"Group":"cache"}}""");
        Assert.Equal(1, h.Simulator.GetRunningCount("second", "cache"));
    }

    [Fact]
    public async Task SystemJob_RunsOneAllocationPerEligibleNode()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode(nodeClass: "batch");
        h.AddNode(nodeClass: "batch");
        h.AddNode(nodeClass: "other");
        h.Simulator.RegisterJob(JobJson.Service("sys", type: "system", nodeClass: "batch"));
        Assert.Equal(2, h.Simulator.GetRunningCount("sys", "cache"));
        h.AddNode(nodeClass: "batch");
        Assert.Equal(3, h.Simulator.GetRunningCount("sys", "cache"));
    }

    [Fact]
    public async Task NodeDown_MarksItsAllocationsLost_AndReplacesThem()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var first = h.AddNode(name: "first", cpu: 8000);
        h.Simulator.RegisterJob(JobJson.Service("example", count: 1));
        var second = h.AddNode(name: "second");
        h.Simulator.SetNodeStatus(first, "down");
        var allocs = (await h.GetAsync("/v1/job/example/allocations")).Json.AsArray();
        Assert.Contains(allocs, a => a!["ClientStatus"]!.GetValue<string>() == "lost" && a["NodeID"]!.GetValue<string>() == first);
        Assert.Contains(allocs, a => a!["ClientStatus"]!.GetValue<string>() == "running" && a["NodeID"]!.GetValue<string>() == second);
        var nodes = (await h.GetAsync("/v1/nodes")).Json.AsArray();
        Assert.Equal("down", nodes.First(n => n!["ID"]!.GetValue<string>() == first)!["Status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync($"/v1/node/{first}")).Status);
    }
}
