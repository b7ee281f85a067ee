using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>os-nova against the real loopback OpenStack, with the Nomad simulator turning ACTIVE servers into nodes.</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PluginIntegrationTests(ITestOutputHelper output)
{
    private static ScalingAction To(long count) => new(count, ScalingDirection.Up, "test");

    [Fact]
    public async Task ScaleOut_ZeroToMinThenMax_CountsAndTagsEveryServer()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var plugin = await h.PluginAsync();
        var target = h.Target(("metadata", "role=worker"), ("tags", "autoscaled"));

        var initial = await plugin.GetStatusAsync(target, default);
        Assert.True(initial!.Ready);
        Assert.Equal(0, initial.Count);
        Assert.Contains(h.Log.Messages, m => m.StartsWith("discovered current microversion for compute, making it the used one: microversion=", StringComparison.Ordinal));

        await plugin.ScaleAsync(To(1), target, default);
        Assert.Contains($"successfully performed and verified scaling out: action=scale_out desired_count=1 pool_name={h.PoolName}", h.Log.Messages);
        await h.WaitForReadyNodesAsync(1);
        await plugin.ScaleAsync(To(2), target, default);
        await h.WaitForReadyNodesAsync(2);

        var servers = await h.ServersAsync();
        Assert.Equal(2, servers.Count);
        Assert.All(servers, s =>
        {
            Assert.Equal("ACTIVE", s.Status);
            Assert.StartsWith(h.PoolName + "-", s.Name, StringComparison.Ordinal);
            Assert.Contains(h.PoolTag, s.Tags);
            Assert.Contains("autoscaled", s.Tags);
            Assert.Equal(h.PoolName, s.Metadata["na_pool"]);
            Assert.Equal("worker", s.Metadata["role"]);
        });
        var status = await plugin.GetStatusAsync(target, default);
        Assert.True(status!.Ready);
        Assert.Equal(2, status.Count);
        Assert.True(status.Meta.ContainsKey(TargetStatusMeta.LastEvent));

        await Assert.ThrowsAsync<ScalingNoOpException>(() => plugin.ScaleAsync(To(2), target, default).AsTask());
        // A decision made on a stale count never turns around: an "up" never deletes, a "down" never creates.
        await Assert.ThrowsAsync<ScalingNoOpException>(() => plugin.ScaleAsync(new ScalingAction(1, ScalingDirection.Up, "stale"), target, default).AsTask());
        await Assert.ThrowsAsync<ScalingNoOpException>(() => plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.Down, "stale"), target, default).AsTask());
        Assert.Contains(h.Log.Messages, m => m.StartsWith($"not scaling against the decision's direction: pool_name={h.PoolName} direction=up current_count=2 desired_count=1", StringComparison.Ordinal));
        await plugin.ScaleAsync(To(5), h.Target(("dry-run", "true")), default);
        Assert.Equal(2, (await h.ServersAsync()).Count);

        // max 7 with max_scale_up = 1 is the agent's business; the plugin must add exactly one per step.
        await plugin.ScaleAsync(To(3), target, default);
        Assert.Equal(3, (await h.ServersAsync()).Count);
    }

    [Fact]
    public async Task OneToFour_SplitsOverZones_ThenFourToOne_DrainsBeforeDeleting()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var deletions = new DeletionWitness(h);
        using var plugin = await h.PluginAsync(o => o.IdAttribute = "unique.platform.openstack.id", handler: deletions);
        var target = h.Target(("availavility_zones", "az1,az2"), ("evenly_split_azs", "true"), ("node_purge", "true"),
            ("node_selector_strategy", "newest_create_index"));

        await plugin.ScaleAsync(To(1), target, default);
        await h.WaitForReadyNodesAsync(1);
        await plugin.ScaleAsync(To(4), target, default);
        var zones = (await h.ServersAsync()).GroupBy(s => s.AvailabilityZone).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, zones["az1"]);
        Assert.Equal(2, zones["az2"]);
        Assert.Contains(h.Log.Messages, m => m.Contains("availavility_zones is a misspelling", StringComparison.Ordinal));
        await h.WaitForReadyNodesAsync(4);

        h.RegisterJob(4);
        await h.WaitForAsync(async () => await RunningAllocationsAsync(h) == 4, TimeSpan.FromMinutes(1), "4 running allocations");
        var before = h.Simulator.GetNodes().Where(n => n.NodeClass == h.NodeClass).ToList();

        await plugin.ScaleAsync(new ScalingAction(1, ScalingDirection.Down, "test"), target, default);

        Assert.Equal(3, deletions.Deleted.Count);
        Assert.Empty(deletions.Violations);
        var remaining = Assert.Single(await h.ServersAsync());
        Assert.DoesNotContain(remaining.Id, deletions.Deleted);
        // Purged: only the remaining server's node is left, and every allocation runs there.
        var after = h.Simulator.GetNodes().Where(n => n.NodeClass == h.NodeClass).ToList();
        Assert.Equal(remaining.Id, Assert.Single(after).CloudServerId);
        Assert.Equal(4, before.Count);
        Assert.Contains(h.Log.Messages, m => m.StartsWith("successfully performed and verified scaling in", StringComparison.Ordinal));
    }

    private static async Task<int> RunningAllocationsAsync(PoolHarness h)
    {
        var total = 0;
        foreach (var node in h.Simulator.GetNodes().Where(n => n.NodeClass == h.NodeClass && n.Status == "ready"))
            total += (await h.Nomad.GetNodeAllocationsAsync(node.Id)).Value.Count(a => a.ClientStatus == "running");
        return total;
    }

    [Fact]
    public async Task WrongImageOrFlavor_FailsClearly_WithNoServerLeft()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var plugin = await h.PluginAsync();

        var image = await Assert.ThrowsAsync<PluginConfigException>(() => plugin.ScaleAsync(To(2), h.Target(("image_name", "no-such-image")), default).AsTask());
        Assert.Equal("image_name", Assert.Single(image.Violations).Key);
        Assert.Contains("failed to find image with name no-such-image", image.Message);

        var flavor = await Assert.ThrowsAsync<PluginConfigException>(() => plugin.ScaleAsync(To(2), h.Target(("flavor_name", ""), ("flavor_id", Guid.NewGuid().ToString())), default).AsTask());
        Assert.Equal("flavor_id", Assert.Single(flavor.Violations).Key);
        Assert.Contains("not found", flavor.Message);

        var network = await Assert.ThrowsAsync<PluginConfigException>(() => plugin.ScaleAsync(To(1), h.Target(("network_name", "nope")), default).AsTask());
        Assert.Equal("network_names", Assert.Single(network.Violations).Key);

        // The names are looked up concurrently; every wrong one is still reported, in the order of the keys.
        var all = await Assert.ThrowsAsync<PluginConfigException>(() => plugin.ScaleAsync(To(1),
            h.Target(("image_name", "no-such-image"), ("flavor_name", "no-such-flavor"), ("network_name", "nope")), default).AsTask());
        Assert.Equal(["image_name", "flavor_name", "network_names"], all.Violations.Select(v => v.Key));
        Assert.Empty(await h.ServersAsync());
    }

    [Fact]
    public async Task ServerInError_IsDeletedAndRetriedOnce_ThenReported()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var admin = new OpenStackClient(cloud.Admin);
        // No host has a million GB of disk (and no quota covers disk): the scheduler finds no valid host, the server goes to ERROR.
        var flavorName = "it-huge-" + Guid.NewGuid().ToString("N")[..8];
        var flavor = await admin.Session.SendAsync("compute", HttpMethod.Post, "flavors",
            new JsonObject { ["flavor"] = new JsonObject { ["name"] = flavorName, ["ram"] = 512, ["vcpus"] = 1, ["disk"] = 1_000_000 } });
        var flavorId = flavor!["flavor"]!["id"]!.GetValue<string>();
        try
        {
            using var plugin = await h.PluginAsync();
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => plugin.ScaleAsync(To(1), h.Target(("flavor_name", flavorName)), default).AsTask());
            Assert.Contains("created 0 of 1 servers", error.Message);
            Assert.Contains("went to ERROR twice", error.Message);
            Assert.Equal(2, h.Log.Messages.Count(m => m.StartsWith("server went to ERROR, deleting it", StringComparison.Ordinal)));
            await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 0, TimeSpan.FromMinutes(1), "failed servers deleted");

            // A pool server that reached ERROR some other way neither counts nor blocks the pool: Status removes it.
            var broken = await h.Observer.Nova.CreateServerAsync(new NovaServerCreateRequest
            {
                Name = h.PoolName + "-broken",
                ImageId = cloud.Id("OS_TEST_IMAGE_ID"),
                FlavorId = flavorId,
                NetworkIds = [cloud.Id("OS_TEST_NETWORK_ID")],
                Tags = [h.PoolTag],
            });
            await h.WaitForAsync(async () => (await h.ServersAsync()).Any(s => s.Id == broken && s.Status == "ERROR"), TimeSpan.FromMinutes(1), "ERROR server");
            var status = await plugin.GetStatusAsync(h.Target(("flavor_name", flavorName)), default);
            Assert.True(status!.Ready);
            Assert.Equal(0, status.Count);
            await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 0, TimeSpan.FromMinutes(1), "ERROR server deleted by Status");
        }
        finally
        {
            await admin.Session.SendAsync("compute", HttpMethod.Delete, "flavors/" + flavorId);
        }
    }

    [Fact]
    public async Task QuotaTooSmall_GivesReportedPartialProgress_AndNoLeak()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var admin = new OpenStackClient(cloud.Admin);
        var projectId = cloud.Id("OS_TEST_PROJECT_ID");
        var quota = await admin.Session.SendAsync("compute", HttpMethod.Get, "os-quota-sets/" + projectId);
        var original = quota!["quota_set"]!["instances"]!.GetValue<int>();
        var inUse = (await h.Observer.Nova.ListServersAsync()).Count;
        await admin.Nova.SetInstanceQuotaAsync(projectId, inUse + 2);
        try
        {
            using var plugin = await h.PluginAsync();
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => plugin.ScaleAsync(To(4), h.Target(), default).AsTask());
            Assert.Contains("created 2 of 4 servers", error.Message);
            Assert.Contains("quota exceeded", error.Message, StringComparison.OrdinalIgnoreCase);
            var servers = await h.ServersAsync();
            Assert.Equal(2, servers.Count);
            Assert.All(servers, s => Assert.Equal("ACTIVE", s.Status));
            // A node still initializing makes the pool not ready (count 0); read the count once both have joined.
            await h.WaitForReadyNodesAsync(2);
            TargetStatus? settled = null;
            await h.WaitForAsync(async () => (settled = await plugin.GetStatusAsync(h.Target(), default))!.Ready, TimeSpan.FromMinutes(1), "pool settled");
            Assert.Equal(2, settled!.Count);
        }
        finally
        {
            await admin.Nova.SetInstanceQuotaAsync(projectId, original);
        }
    }

    [Fact]
    public async Task CrashMidScaleOut_NextEvaluationCountsWhatExists_AndCreatesOnlyTheRest()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var crashing = new CancellationTokenSource();
        var creates = new CreateCounter(() => crashing.Cancel(), cancelAfter: 2);
        using (var first = await h.PluginAsync(o => o.MaxConcurrentActions = 1, handler: creates))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.ScaleAsync(To(4), h.Target(), crashing.Token).AsTask());
        }

        var leftBehind = (await h.ServersAsync()).Count;
        Assert.InRange(leftBehind, 1, 2);
        using var second = await h.PluginAsync();
        // Every left-behind server joins first: a node still initializing makes the pool not ready (count 0).
        await h.WaitForReadyNodesAsync(leftBehind);
        TargetStatus? settled = null;
        await h.WaitForAsync(async () => (settled = await second.GetStatusAsync(h.Target(), default))!.Ready, TimeSpan.FromMinutes(2), "pool settled");
        Assert.Equal(leftBehind, settled!.Count);

        await second.ScaleAsync(To(4), h.Target(), default);
        var servers = await h.ServersAsync();
        Assert.Equal(4, servers.Count);
        Assert.Equal(4, servers.Select(s => s.Name).Distinct().Count());
        Assert.Contains($"successfully performed and verified scaling out: action=scale_out desired_count={4 - leftBehind} pool_name={h.PoolName}", h.Log.Messages);
    }

    [Fact]
    public async Task FloatingIps_AreFoundAgainAfterARestart_AndReleasedOnScaleIn()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var target = h.Target(("floatingip_pool_name", cloud.Id("OS_TEST_EXTERNAL_NETWORK_NAME")), ("node_purge", "true"));
        string serverId;
        using (var first = await h.PluginAsync())
        {
            await first.ScaleAsync(To(1), target, default);
            serverId = Assert.Single(await h.ServersAsync()).Id;
        }

        var port = Assert.Single(await h.Observer.Neutron.ListPortsAsync(serverId));
        var fip = Assert.Single(await h.Observer.Neutron.ListFloatingIpsAsync(port.Id));
        Assert.Equal($"{h.PoolTag} server:{serverId}", fip.Description);
        await h.WaitForReadyNodesAsync(1);

        // A new plugin process knows nothing about the address: it must find it in Neutron and release it.
        using var second = await h.PluginAsync();
        await second.ScaleAsync(new ScalingAction(0, ScalingDirection.Down, "test"), target, default);

        Assert.Empty(await h.ServersAsync());
        Assert.DoesNotContain(await h.Observer.Neutron.ListFloatingIpsAsync(), f => f.Id == fip.Id);
    }

    /// <summary>Sees every server DELETE the plugin sends and checks, at that moment, that the server's Nomad node has
    /// finished draining: no running or pending allocation left on it.</summary>
    private sealed class DeletionWitness(PoolHarness h) : DelegatingHandler(new SocketsHttpHandler())
    {
        public ConcurrentBag<string> Deleted { get; } = [];
        public ConcurrentBag<string> Violations { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Delete && path.Contains("/servers/", StringComparison.Ordinal))
            {
                var serverId = path[(path.LastIndexOf('/') + 1)..];
                Deleted.Add(serverId);
                var node = h.Simulator.GetNodes().FirstOrDefault(n => n.CloudServerId == serverId);
                if (node is null) Violations.Add($"server {serverId} has no Nomad node");
                else
                {
                    var allocations = (await h.Nomad.GetNodeAllocationsAsync(node.Id, cancellationToken: cancellationToken)).Value;
                    if (!node.Draining && node.SchedulingEligibility != "ineligible") Violations.Add($"node {node.Id} was not drained");
                    if (allocations.Any(a => a.ClientStatus is "running" or "pending")) Violations.Add($"node {node.Id} still ran allocations");
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Calls <paramref name="onLimit"/> once <paramref name="cancelAfter"/> server creates were answered: the
    /// "agent crash" happens with servers already accepted by Nova.</summary>
    private sealed class CreateCounter(Action onLimit, int cancelAfter) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _creates;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/servers", StringComparison.Ordinal)
                && Interlocked.Increment(ref _creates) == cancelAfter) onLimit();
            return response;
        }
    }
}
