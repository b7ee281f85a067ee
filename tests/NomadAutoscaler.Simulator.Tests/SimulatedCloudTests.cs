using System.Net;
using NomadAutoscaler.Simulator.Cloud;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class SimulatedCloudTests
{
    private static readonly SimulatedPool Pool = new() { Name = "nom", NodeClass = "nom-pool", Cpu = 4000, MemoryMB = 8192 };

    private static Task<SimulatorHarness> StartAsync(SimulatedCloudOptions cloud) => SimulatorHarness.StartAsync(o => o.Cloud = cloud);

    [Fact]
    public async Task Create_BootsAfterTheDelay_ThenJoinsAsANodeOfThePoolsClass()
    {
        await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(90) });
        var cloud = h.Simulator.Cloud!;

        var server = Assert.Single(cloud.Create(Pool, 1));
        Assert.Equal("nom-1", server.Name);
        Assert.Equal(SimulatedServerState.Build, server.State);
        Assert.Equal("BUILD", server.Status);

        h.Time.Advance(TimeSpan.FromSeconds(89));
        h.Simulator.ProcessTick();
        Assert.Equal(SimulatedServerState.Build, cloud.Server(server.Id)!.State);
        Assert.Empty(h.Simulator.GetNodes());

        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Simulator.ProcessTick();
        var active = cloud.Server(server.Id)!;
        Assert.Equal(SimulatedServerState.Active, active.State);
        Assert.Equal(server.CreatedAt + TimeSpan.FromSeconds(90), active.ActiveAt);
        var node = Assert.Single(h.Simulator.GetNodes());
        Assert.Equal(active.NodeId, node.Id);
        Assert.Equal("nom-1", node.Name);
        Assert.Equal("nom-pool", node.NodeClass);
        Assert.Equal(server.Id, node.CloudServerId);
        Assert.Equal(server.Id, node.Attributes["unique.platform.openstack.id"]);
        Assert.Equal("nom-1", node.Attributes["unique.platform.aws.hostname"]);
        Assert.Equal(server.Id, node.Meta["nova_id"]);
        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes()[0].Status == "ready", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Create_WithJitter_BootsWithinTheRange_AndNotAllAtOnce()
    {
        await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(60), BootJitter = TimeSpan.FromSeconds(20) });
        var cloud = h.Simulator.Cloud!;
        var created = cloud.Create(Pool, 20);

        await h.AdvanceUntilAsync(() => cloud.Servers().All(s => s.State == SimulatedServerState.Active), TimeSpan.FromSeconds(1));
        var boots = cloud.Servers().Select(s => (s.ActiveAt!.Value - s.CreatedAt).TotalSeconds).ToList();
        Assert.All(boots, b => Assert.InRange(b, 40, 81)); // within ±20 s, plus at most one 1 s tick of lateness
        Assert.True(boots.Distinct().Count() > 5, "jitter should spread the boots: " + string.Join(", ", boots));
        Assert.Equal(20, created.Select(s => s.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 20).Select(n => $"nom-{n}"), created.Select(s => s.Name));
    }

    [Fact]
    public async Task FailureRate_IsDeterministicPerSeed_AndFailedServersNeverJoin()
    {
        async Task<List<(string Id, SimulatedServerState State)>> RunAsync(int seed)
        {
            await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(10), BootFailureRate = 0.5, Seed = seed });
            var cloud = h.Simulator.Cloud!;
            cloud.Create(Pool, 30);
            await h.AdvanceUntilAsync(() => cloud.Servers().All(s => s.State != SimulatedServerState.Build), TimeSpan.FromSeconds(5));
            Assert.Equal(cloud.Servers().Count(s => s.State == SimulatedServerState.Active), h.Simulator.GetNodes().Count);
            return cloud.Servers().Select(s => (s.Id, s.State)).ToList();
        }

        var first = await RunAsync(7);
        var again = await RunAsync(7);
        var other = await RunAsync(8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        var failed = first.Count(s => s.State == SimulatedServerState.Error);
        Assert.InRange(failed, 5, 25);
    }

    [Fact]
    public async Task Delete_TakesTheNodeAway_AndItsAllocationsAreRescheduled()
    {
        await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.Zero });
        var cloud = h.Simulator.Cloud!;
        var servers = cloud.Create(Pool, 2);
        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes().All(n => n.Status == "ready") && h.Simulator.GetNodes().Count == 2, TimeSpan.FromSeconds(1));
        h.Simulator.RegisterJob(JobJson.Service("work", group: "work", count: 4, cpu: 1500, nodeClass: "nom-pool"));
        await h.AdvanceUntilAsync(() => h.Simulator.GetRunningCount("work", "work") == 4, TimeSpan.FromSeconds(1));

        var deleted = cloud.Delete([servers[0].Id, "no-such-server"]);

        Assert.Equal(servers[0].Id, Assert.Single(deleted).Id);
        Assert.Equal(SimulatedServerState.Deleted, cloud.Server(servers[0].Id)!.State);
        Assert.NotNull(cloud.Server(servers[0].Id)!.DeletedAt);
        Assert.Equal("nom-2", Assert.Single(h.Simulator.GetNodes()).Name);
        // The lost allocations are replaced; two fit on the remaining node, two wait for capacity.
        await h.AdvanceUntilAsync(() => h.Simulator.GetRunningCount("work", "work") == 2 && h.Simulator.GetQueuedCount("work", "work") == 2, TimeSpan.FromSeconds(1));
        Assert.Empty(cloud.Delete([servers[0].Id]));
    }

    [Fact]
    public async Task Servers_ArePerPool_AndABuildingServerDeletedNeverJoins()
    {
        await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(30) });
        var cloud = h.Simulator.Cloud!;
        var building = cloud.Create(Pool, 1)[0];
        cloud.Create(Pool with { Name = "other", NodeClass = "other" }, 2);

        Assert.Equal(["nom-1"], cloud.Servers("nom").Select(s => s.Name));
        Assert.Equal(["other-1", "other-2"], cloud.Servers("other").Select(s => s.Name));
        Assert.Equal(3, cloud.Servers().Count);

        cloud.Delete([building.Id]);
        await h.AdvanceUntilAsync(() => h.Simulator.GetNodes().Count == 2, TimeSpan.FromSeconds(5));
        Assert.All(h.Simulator.GetNodes(), n => Assert.Equal("other", n.NodeClass));
        Assert.Null(cloud.Server(building.Id)!.ActiveAt);
    }

    [Fact]
    public async Task SameSeed_SameSequenceOfCalls_GivesTheSameIdsNamesAndNodeIds()
    {
        async Task<string> RunAsync()
        {
            await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(5), BootJitter = TimeSpan.FromSeconds(3), Seed = 42 });
            var cloud = h.Simulator.Cloud!;
            cloud.Create(Pool, 3);
            await h.AdvanceUntilAsync(() => cloud.Servers().All(s => s.State == SimulatedServerState.Active), TimeSpan.FromSeconds(1));
            return string.Join("\n", cloud.Servers().Select(s => $"{s.Id} {s.Name} {s.NodeId} {s.ActiveAt:O}"));
        }

        Assert.Equal(await RunAsync(), await RunAsync());
    }

    [Fact]
    public async Task WithoutCloudOptions_ThereIsNoCloud_AndItsEndpointsAnswer404()
    {
        await using var h = await SimulatorHarness.StartAsync();
        Assert.Null(h.Simulator.Cloud);
        var reply = await h.GetAsync("/_sim/cloud/servers");
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Contains("not enabled", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_CreateListGetDelete_UnderSimCloud()
    {
        await using var h = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(20) });

        var created = await h.SendAsync(HttpMethod.Post, "/_sim/cloud/servers",
            """{"pool":"nom","count":2,"node_class":"nom-pool","datacenter":"dc1","node_pool":"default","cpu":2000,"memory":4096}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var servers = created.Json["servers"]!.AsArray();
        Assert.Equal(2, servers.Count);
        Assert.Equal("BUILD", (string)servers[0]!["status"]!);
        Assert.Equal("nom-1", (string)servers[0]!["name"]!);
        Assert.Equal(2000, (int)servers[0]!["cpu"]!);
        var id = (string)servers[0]!["id"]!;

        h.Time.Advance(TimeSpan.FromSeconds(20));
        h.Simulator.ProcessTick();
        var listed = await h.GetAsync("/_sim/cloud/servers?pool=nom");
        Assert.All(listed.Json["servers"]!.AsArray(), s => Assert.Equal("ACTIVE", (string)s!["status"]!));
        Assert.Empty((await h.GetAsync("/_sim/cloud/servers?pool=elsewhere")).Json["servers"]!.AsArray());
        Assert.Equal(2, h.Simulator.GetNodes().Count(n => n.NodeClass == "nom-pool" && n.Attributes["cpu.totalcompute"] == "2000"));

        var one = await h.GetAsync("/_sim/cloud/server/" + id);
        Assert.Equal(id, (string)one.Json["id"]!);
        Assert.NotNull(one.Json["node_id"]);

        var deleted = await h.SendAsync(HttpMethod.Delete, "/_sim/cloud/server/" + id);
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal("DELETED", (string)deleted.Json["status"]!);
        Assert.Single(h.Simulator.GetNodes());

        Assert.Equal(HttpStatusCode.NotFound, (await h.SendAsync(HttpMethod.Delete, "/_sim/cloud/server/nope")).Status);
        var bad = await h.SendAsync(HttpMethod.Post, "/_sim/cloud/servers", """{"count":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("\"pool\" is required", bad.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await h.SendAsync(HttpMethod.Post, "/_sim/cloud/servers", """{"pool":"p","count":"x"}""")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await h.SendAsync(HttpMethod.Patch, "/_sim/cloud/servers")).Status);
    }

    [Fact]
    public async Task Http_WithAcls_TheCloudEndpointsTakeTheSameToken()
    {
        await using var h = await SimulatorHarness.StartAsync(o =>
        {
            o.Cloud = new SimulatedCloudOptions();
            o.ManagementToken = "s3cret";
        });

        Assert.Equal(HttpStatusCode.Forbidden, (await h.GetAsync("/_sim/cloud/servers")).Status);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/_sim/cloud/servers", token: "s3cret")).Status);
    }

    [Fact]
    public async Task InvalidOptions_AreRefusedAtStart()
    {
        var simulator = new NomadSimulator(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        var options = new SimulatorOptions { Cloud = new SimulatedCloudOptions { BootFailureRate = 1.5 } };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => simulator.StartAsync(options));
        Assert.Contains("BootFailureRate", error.Message, StringComparison.Ordinal);
    }
}
