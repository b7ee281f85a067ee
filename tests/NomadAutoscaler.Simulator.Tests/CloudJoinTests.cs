namespace NomadAutoscaler.Simulator.Tests;

public sealed class CloudJoinTests
{
    private static async Task<(SimulatorHarness H, InMemoryCloudJoinSource Cloud)> StartAsync()
    {
        var cloud = new InMemoryCloudJoinSource();
        var h = await SimulatorHarness.StartAsync(o =>
        {
            o.CloudJoinSource = cloud;
            o.CloudJoinInterval = TimeSpan.FromHours(1);
            o.CloudJoinPools.Add(new CloudJoinPool { PoolName = "workers", NodeClass = "wrk", Cpu = 2000, MemoryMB = 4096 });
        });
        return (h, cloud);
    }

    [Fact]
    public async Task ActiveServer_JoinsAsANode_InitializingThenReady_WithOpenStackAttributes()
    {
        var (h, cloud) = await StartAsync();
        await using (h)
        {
            cloud.AddServer("3f1c-uuid", "worker-abc", "workers");
            cloud.AddServer("other-uuid", "unrelated", "another-pool");
            cloud.AddServer("building", "worker-new", "workers", status: "BUILD");
            await h.Simulator.PollCloudJoinAsync();

            var node = Assert.Single(h.Simulator.GetNodes());
            Assert.Equal("worker-abc", node.Name);
            Assert.Equal("wrk", node.NodeClass);
            Assert.Equal("initializing", node.Status);
            Assert.Equal("3f1c-uuid", node.CloudServerId);
            Assert.Equal("3f1c-uuid", node.Attributes["unique.platform.openstack.id"]);
            Assert.Equal("worker-abc", node.Attributes["unique.platform.aws.hostname"]);
            Assert.Equal("worker-abc", node.Attributes["unique.hostname"]);
            Assert.Equal("3f1c-uuid", node.Meta["nova_id"]);

            await h.AdvanceUntilAsync(() => h.Simulator.GetNodes()[0].Status == "ready", TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task DeletedOrStoppedServer_TakesItsNodeDown()
    {
        var (h, cloud) = await StartAsync();
        await using (h)
        {
            cloud.AddServer("a", "worker-a", "workers");
            cloud.AddServer("b", "worker-b", "workers");
            await h.Simulator.PollCloudJoinAsync();
            Assert.Equal(2, h.Simulator.GetNodes().Count);

            cloud.Remove("a");
            cloud.SetStatus("b", "SHUTOFF");
            await h.Simulator.PollCloudJoinAsync();
            Assert.All(h.Simulator.GetNodes(), n => Assert.Equal("down", n.Status));

            cloud.SetStatus("b", "ACTIVE");
            await h.Simulator.PollCloudJoinAsync();
            Assert.Equal("ready", h.Simulator.GetNodes().Single(n => n.Name == "worker-b").Status);
        }
    }

    [Fact]
    public async Task FailingSource_LeavesNodesAlone()
    {
        var cloud = new FailingSource();
        await using var h = await SimulatorHarness.StartAsync(o =>
        {
            o.CloudJoinSource = cloud;
            o.CloudJoinInterval = TimeSpan.FromHours(1);
            o.CloudJoinPools.Add(new CloudJoinPool { PoolName = "workers" });
        });
        h.AddNode(name: "static");
        await h.Simulator.PollCloudJoinAsync();
        Assert.Equal("ready", Assert.Single(h.Simulator.GetNodes()).Status);
        Assert.NotNull(h.Simulator.CloudJoin!.LastError);
    }

    private sealed class FailingSource : ICloudJoinSource
    {
        public Task<IReadOnlyList<CloudServer>> ListServersAsync(CancellationToken cancellationToken) =>
            throw new HttpRequestException("nova unreachable");
    }
}
