using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>os-nova on the real loopback OpenStack replaces ACTIVE servers whose Nomad client never joins (the
/// cloud-join hook ignores servers with the <c>it_never_join</c> metadata key), and refuses to delete anything when
/// the node attribute maps no server at all.</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class NodeJoinIntegrationTests(ITestOutputHelper output)
{
    private const string NeverJoin = "it_never_join";

    [Fact]
    public async Task Servers_that_never_join_are_deleted_after_node_join_timeout_at_most_max_per_evaluation_and_replaced()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output, NeverJoin);
        // One plugin creates with the default timeout; the checker's short timeout is used only once every server it
        // looks at is past it (or joined), so no assertion races a launch.
        using var creator = await h.PluginAsync(o => o.IdAttribute = "unique.platform.openstack.id");
        var timeout = TimeSpan.FromSeconds(5);
        using var checker = await h.PluginAsync(o =>
        {
            o.IdAttribute = "unique.platform.openstack.id";
            o.NodeJoinTimeout = timeout;
            o.MaxUnjoinedReplacements = 1;
        });
        var broken = h.Target(("metadata", NeverJoin + "=true"));
        var healthy = h.Target();
        await creator.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), broken, default);
        var brokenIds = (await h.ServersAsync()).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(2, brokenIds.Count);
        Assert.Equal(2, (await creator.GetStatusAsync(healthy, default))!.Count);
        await h.WaitForAsync(async () => (await h.ServersAsync()).All(s => s.LaunchedAt < DateTimeOffset.UtcNow - timeout), TimeSpan.FromMinutes(1),
            "both servers to be past node_join_timeout");

        var reported = (await checker.GetStatusAsync(healthy, default))!;
        Assert.Equal(1, reported.Count);
        var notice = reported.Meta[TargetStatusMeta.Notice];
        Assert.StartsWith("2 ACTIVE server(s) have no Nomad node after node_join_timeout 5s: ", notice, StringComparison.Ordinal);
        Assert.Contains("deleted 1 for replacement, 1 left for later evaluations (max_unjoined_replacements 1)", notice, StringComparison.Ordinal);
        Assert.Single(h.Log.Messages, m => m.StartsWith("replacing server that never joined Nomad", StringComparison.Ordinal));
        await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 1, TimeSpan.FromMinutes(1), "the first never-joined server to go");

        // The agent answers the lower count with a scale-out; the next evaluation deletes the second broken server.
        await creator.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), healthy, default);
        await h.WaitForReadyNodesAsync(1);
        reported = (await checker.GetStatusAsync(healthy, default))!;
        Assert.Equal(1, reported.Count);
        Assert.StartsWith("1 ACTIVE server(s) have no Nomad node", reported.Meta[TargetStatusMeta.Notice], StringComparison.Ordinal);
        await creator.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), healthy, default);
        await h.WaitForReadyNodesAsync(2);
        await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 2, TimeSpan.FromMinutes(1), "the pool to hold only the replacements");
        var servers = await h.ServersAsync();
        Assert.DoesNotContain(servers, s => brokenIds.Contains(s.Id));
        Assert.All(servers, s => Assert.False(s.Metadata.ContainsKey(NeverJoin)));
        Assert.Equal(servers.Select(s => s.Id).Order(StringComparer.Ordinal),
            h.Simulator.GetNodes().Where(n => n.NodeClass == h.NodeClass && n.Status == "ready").Select(n => n.CloudServerId!).Order(StringComparer.Ordinal));
        var last = (await checker.GetStatusAsync(healthy, default))!;
        Assert.Equal(2, last.Count);
        Assert.False(last.Meta.ContainsKey(TargetStatusMeta.Notice));
    }

    [Fact]
    public async Task A_wrong_id_attribute_is_reported_as_a_mapping_error_and_nothing_is_deleted()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        // The attribute exists but holds the server name, not its ID.
        using var plugin = await h.PluginAsync(o =>
        {
            o.IdAttribute = "unique.platform.openstack.name";
            o.NodeJoinTimeout = TimeSpan.FromSeconds(1);
            o.MaxUnjoinedReplacements = 5;
        });
        var target = h.Target();
        await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), target, default);
        await h.WaitForReadyNodesAsync(2);
        var names = (await h.ServersAsync()).Select(s => s.Name).ToList();

        TargetStatus? reported = null;
        await h.WaitForAsync(async () =>
        {
            var status = await plugin.GetStatusAsync(target, default);
            if (status is null || !status.Meta.ContainsKey(TargetStatusMeta.Notice)) return false;
            reported = status;
            return true;
        }, TimeSpan.FromMinutes(1), "the mapping error to be reported");

        var notice = reported!.Meta[TargetStatusMeta.Notice];
        Assert.StartsWith("mapping error: id_attribute \"unique.platform.openstack.name\" maps none of the pool's 2 live nodes to its 2 servers", notice, StringComparison.Ordinal);
        Assert.Contains(names, n => notice.Contains($"has unique.platform.openstack.name=\"{n}\"", StringComparison.Ordinal));
        Assert.Contains("not deleting any server", notice, StringComparison.Ordinal);
        Assert.Equal(2, reported.Count);
        Assert.Contains(h.Log.Messages, m => m.StartsWith("pool servers cannot be mapped to Nomad nodes", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Log.Messages, m => m.StartsWith("replacing server that never joined Nomad", StringComparison.Ordinal));
        var servers = await h.ServersAsync();
        Assert.Equal(2, servers.Count);
        Assert.All(servers, s => Assert.True(s.Status == "ACTIVE" && s.TaskState is null, $"{s.Name} is {s.Status}/{s.TaskState}"));
    }
}
