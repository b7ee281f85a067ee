using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>os-nova's scale-in on the real loopback OpenStack keeps servers whose work fits nowhere else or that run
/// a do-not-disrupt job, and says why.</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ScaleInSafetyIntegrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scale_in_to_zero_deletes_only_the_server_whose_work_fits_elsewhere_then_answers_no_op_with_the_reason()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var plugin = await h.PluginAsync(o => o.IdAttribute = "unique.platform.openstack.id");
        var target = h.Target(("node_purge", "true"));
        await plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "test"), target, default);
        await h.WaitForReadyNodesAsync(3);

        // Nodes have 4000 MHz. Best fit puts the two "big" allocations (3500) on two nodes and "db" (500,
        // do-not-disrupt) next to one of them: A = big + db (full), B = big (500 free), C = empty.
        h.RegisterJob(2, "big", cpu: 3500);
        h.RegisterJob(1, "db", cpu: 500, meta: new Dictionary<string, string> { ["nomad_autoscaler.do_not_disrupt"] = "true" });
        await h.WaitForAsync(() => Task.FromResult(h.Simulator.GetRunningCount("big", "app") == 2 && h.Simulator.GetRunningCount("db", "app") == 1),
            TimeSpan.FromMinutes(1), "big and db to run");
        var idle = new List<string?>();
        foreach (var node in h.Simulator.GetNodes().Where(n => n.NodeClass == h.NodeClass))
        {
            if ((await h.Nomad.GetNodeAllocationsAsync(node.Id)).Value.All(a => a.IsTerminal)) idle.Add(node.CloudServerId);
        }

        var emptyServer = Assert.Single(idle);

        await plugin.ScaleAsync(new ScalingAction(0, ScalingDirection.Down, "test"), target, default);

        // Only C went: B's big allocation fits nowhere once C is gone, and A runs db.
        var servers = await h.ServersAsync();
        Assert.Equal(2, servers.Count);
        Assert.DoesNotContain(servers, s => s.Id == emptyServer);
        Assert.Contains(h.Log.Messages, m => m.StartsWith("scale-in limited: requested=3 selected=1", StringComparison.Ordinal));
        Assert.Equal(2, h.Simulator.GetRunningCount("big", "app"));
        Assert.Equal(1, h.Simulator.GetRunningCount("db", "app"));
        Assert.All(h.Simulator.GetNodes().Where(n => n.NodeClass == h.NodeClass), n => Assert.Equal("eligible", n.SchedulingEligibility));

        var noOp = await Assert.ThrowsAsync<ScalingNoOpException>(() => plugin.ScaleAsync(new ScalingAction(0, ScalingDirection.Down, "test"), target, default).AsTask());
        Assert.Contains("scale-in limited to 0 of 2: ", noOp.Message, StringComparison.Ordinal);
        Assert.Contains("has nomad_autoscaler.do_not_disrupt=true", noOp.Message, StringComparison.Ordinal);
        Assert.Contains("allocations of job big on node", noOp.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await h.ServersAsync()).Count);
    }

    [Fact]
    public async Task Scale_in_4_to_2_with_evenly_split_azs_takes_from_the_largest_zone_so_the_two_zones_stay_balanced()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var plugin = await h.PluginAsync(o => o.IdAttribute = "unique.platform.openstack.id");
        // Three servers pinned to az1, then one more with the split, which goes to az2: 3/1.
        await plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "test"), h.Target(("availability_zones", "az1")), default);
        await h.WaitForReadyNodesAsync(3);
        // newest_create_index ranks the az2 node (the last to join) first: without the zones, 4 → 2 would empty az2.
        var split = h.Target(("availability_zones", "az1,az2"), ("evenly_split_azs", "true"), ("node_selector_strategy", "newest_create_index"));
        await plugin.ScaleAsync(new ScalingAction(4, ScalingDirection.Up, "test"), split, default);
        await h.WaitForReadyNodesAsync(4);
        var before = await h.ServersAsync();
        Assert.Equal([("az1", 3), ("az2", 1)], Zones(before));

        await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Down, "test"), split, default);

        var after = await h.ServersAsync();
        Assert.Equal([("az1", 1), ("az2", 1)], Zones(after));
        Assert.Contains(after, s => s.Id == before.Single(b => b.AvailabilityZone == "az2").Id);
        Assert.Contains(h.Log.Messages, m => m.StartsWith("successfully performed and verified scaling in", StringComparison.Ordinal));
    }

    private static IReadOnlyList<(string Zone, int Count)> Zones(IReadOnlyList<NovaServer> servers) =>
        [.. servers.GroupBy(s => s.AvailabilityZone, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count()))];
}
