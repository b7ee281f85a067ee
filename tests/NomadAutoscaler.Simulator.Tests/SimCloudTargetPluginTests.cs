using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack.Tests;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.SimCloud;
using NomadAutoscaler.Simulator.Cloud;
using Xunit.Abstractions;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>The sim-cloud target against a running simulator on a fake clock: the plugin's own waits run on it too.</summary>
public sealed class SimCloudTargetPluginTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> PoolConfig = new(StringComparer.Ordinal)
    {
        ["node_class"] = "nom-pool",
        ["pool_name"] = "nom",
        ["node_drain_deadline"] = "5m",
    };

    private sealed class Rig : IAsyncDisposable
    {
        public required SocketsHttpHandler Handler { get; init; }
        public required SimulatorHarness H { get; init; }
        public required SimCloudTargetPlugin Plugin { get; init; }
        public required TestLogger Log { get; init; }
        public SimulatedCloud Cloud => H.Simulator.Cloud!;

        /// <summary>Runs a plugin call while advancing simulated time, bounded in real time. Time moves in small steps
        /// with real pauses between them, so an HTTP call in flight never sees its (simulated) deadline pass.</summary>
        public async Task<T> DriveAsync<T>(Func<Task<T>> call, int maxSeconds = 900)
        {
            var task = call();
            for (var i = 0; i < maxSeconds * 10 && !task.IsCompleted; i++)
            {
                await Task.WhenAny(task, Task.Delay(5));
                H.Time.Advance(TimeSpan.FromMilliseconds(100));
            }

            await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(task.IsCompleted, "the plugin call did not finish within the simulated time allowed");
            return await task;
        }

        public Task DriveAsync(Func<Task> call) => DriveAsync(async () =>
        {
            await call();
            return true;
        });

        public async ValueTask DisposeAsync()
        {
            Plugin.Dispose();
            Handler.Dispose();
            await H.DisposeAsync();
        }
    }

    private async Task<Rig> StartAsync(SimulatedCloudOptions? cloud = null)
    {
        var h = await SimulatorHarness.StartAsync(o => o.Cloud = cloud ?? new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(30) });
        var log = new TestLogger(output);
        var handler = new SocketsHttpHandler();
        var plugin = new SimCloudTargetPlugin(log, h.Time, handler) { PollInterval = TimeSpan.FromSeconds(1) };
        await plugin.ConfigureAsync(new SimCloudOptions { NomadAddress = h.Simulator.Address.ToString() }, CancellationToken.None);
        return new Rig { H = h, Plugin = plugin, Log = log, Handler = handler };
    }

    private static PluginSettings Target(params (string Key, string Value)[] extra)
    {
        var map = new Dictionary<string, string>(PoolConfig, StringComparer.Ordinal);
        foreach (var (key, value) in extra) map[key] = value;
        return new PluginSettings(map);
    }

    private static ScalingAction Up(long count) => new(count, ScalingDirection.Up, "test");

    private static ScalingAction Down(long count) => new(count, ScalingDirection.Down, "test");

    [Fact]
    public async Task ScaleOut_WaitsUntilTheServersAreActive_ThenReportsVerifiedSuccess()
    {
        await using var rig = await StartAsync();
        var empty = await rig.Plugin.GetStatusAsync(Target(), CancellationToken.None);
        Assert.Equal((true, 0L), (empty!.Ready, empty.Count));
        Assert.False(empty.Meta.ContainsKey(TargetStatusMeta.LastEvent));

        var started = rig.H.Time.GetUtcNow();
        await rig.DriveAsync(() => rig.Plugin.ScaleAsync(Up(2), Target(), CancellationToken.None).AsTask());

        Assert.True(rig.H.Time.GetUtcNow() - started >= TimeSpan.FromSeconds(30), "the scale-out returned before the boot delay");
        Assert.All(rig.Cloud.Servers("nom"), s => Assert.Equal(SimulatedServerState.Active, s.State));
        Assert.Equal(2, rig.H.Simulator.GetNodes().Count(n => n.NodeClass == "nom-pool"));
        Assert.Contains(rig.Log.Messages, m => m.StartsWith("successfully performed and verified scaling out: action=scale_out desired_count=2 pool_name=nom", StringComparison.Ordinal));

        await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetNodes().All(n => n.Status == "ready"), TimeSpan.FromSeconds(1));
        var status = await rig.Plugin.GetStatusAsync(Target(), CancellationToken.None);
        Assert.Equal((true, 2L), (status!.Ready, status.Count));
        Assert.True(status.Meta.ContainsKey(TargetStatusMeta.LastEvent));
    }

    [Fact]
    public async Task Status_WhileServersBuild_CountsThemButIsNotReady()
    {
        await using var rig = await StartAsync();
        rig.Cloud.Create(new SimulatedPool { Name = "nom", NodeClass = "nom-pool" }, 1);

        var status = await rig.Plugin.GetStatusAsync(Target(), CancellationToken.None);

        Assert.Equal((false, 1L), (status!.Ready, status.Count));
    }

    [Fact]
    public async Task ScaleOut_ServersThatFailTwice_AreDeleted_AndTheActionFails()
    {
        await using var rig = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.FromSeconds(10), BootFailureRate = 1 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            rig.DriveAsync(() => rig.Plugin.ScaleAsync(Up(1), Target(), CancellationToken.None).AsTask()));

        Assert.Contains("created 0 of 1 servers", error.Message, StringComparison.Ordinal);
        Assert.Contains("went to ERROR twice", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, rig.Cloud.Servers("nom").Count);
        Assert.All(rig.Cloud.Servers("nom"), s => Assert.Equal(SimulatedServerState.Deleted, s.State));
        Assert.Empty(rig.H.Simulator.GetNodes());
    }

    [Fact]
    public async Task Status_DeletesServersInError_AndDoesNotCountThem()
    {
        await using var rig = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.Zero, BootFailureRate = 1 });
        var failed = rig.Cloud.Create(new SimulatedPool { Name = "nom", NodeClass = "nom-pool" }, 1)[0];
        Assert.Equal(SimulatedServerState.Error, rig.Cloud.Server(failed.Id)!.State);

        var status = await rig.Plugin.GetStatusAsync(Target(), CancellationToken.None);

        Assert.Equal((true, 0L), (status!.Ready, status.Count));
        Assert.Equal(SimulatedServerState.Deleted, rig.Cloud.Server(failed.Id)!.State);
    }

    [Fact]
    public async Task StaleDecision_AgainstTheCurrentCount_IsANoOp()
    {
        await using var rig = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.Zero });
        rig.Cloud.Create(new SimulatedPool { Name = "nom", NodeClass = "nom-pool" }, 3);

        var up = await Assert.ThrowsAsync<ScalingNoOpException>(() => rig.Plugin.ScaleAsync(Up(2), Target(), CancellationToken.None).AsTask());
        var down = await Assert.ThrowsAsync<ScalingNoOpException>(() => rig.Plugin.ScaleAsync(Down(4), Target(), CancellationToken.None).AsTask());
        var same = await Assert.ThrowsAsync<ScalingNoOpException>(() => rig.Plugin.ScaleAsync(Up(3), Target(), CancellationToken.None).AsTask());

        Assert.Contains("would go the other way", up.Message, StringComparison.Ordinal);
        Assert.Contains("would go the other way", down.Message, StringComparison.Ordinal);
        Assert.Contains("already has 3 servers", same.Message, StringComparison.Ordinal);
        Assert.Equal(3, rig.Cloud.Servers("nom").Count);
    }

    [Fact]
    public async Task ScaleIn_DrainsThroughTheSdk_DeletesOnlyDrainedPoolServers_AndTheWorkMoves()
    {
        await using var rig = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.Zero });
        rig.Cloud.Create(new SimulatedPool { Name = "nom", NodeClass = "nom-pool" }, 3);
        // Same class, another pool: it may host work, but it is not this target's to delete.
        var outsider = rig.Cloud.Create(new SimulatedPool { Name = "elsewhere", NodeClass = "nom-pool" }, 1)[0];
        await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetNodes().Count(n => n.Status == "ready") == 4, TimeSpan.FromSeconds(1));
        rig.H.Simulator.RegisterJob(JobJson.Service("web", group: "web", count: 2, cpu: 1000, nodeClass: "nom-pool"));
        await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetRunningCount("web", "web") == 2, TimeSpan.FromSeconds(1));

        await rig.DriveAsync(() => rig.Plugin.ScaleAsync(Down(1), Target(), CancellationToken.None).AsTask());

        var pool = rig.Cloud.Servers("nom");
        Assert.Equal(1, pool.Count(s => s.State == SimulatedServerState.Active));
        Assert.Equal(2, pool.Count(s => s.State == SimulatedServerState.Deleted));
        Assert.Equal(SimulatedServerState.Active, rig.Cloud.Server(outsider.Id)!.State);
        Assert.Contains(rig.Log.Messages, m => m.StartsWith("successfully performed and verified scaling in: action=scale_in pool_name=nom count=2", StringComparison.Ordinal));
        await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetRunningCount("web", "web") == 2, TimeSpan.FromSeconds(1));
        Assert.Equal(2, rig.H.Simulator.GetNodes().Count);
    }

    /// <summary>Drains one pool node as an earlier scale-in would have (drain meta <c>drained_by</c>), with a batch job on
    /// it when <paramref name="keepOpen"/>, so the drain stays open as it would with an agent killed mid-drain.</summary>
    private static async Task<string> DrainOnePoolNodeAsync(Rig rig, bool keepOpen)
    {
        rig.Cloud.Create(new SimulatedPool { Name = "nom", NodeClass = "nom-pool" }, 2);
        await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetNodes().Count(n => n.Status == "ready") == 2, TimeSpan.FromSeconds(1));
        if (keepOpen)
        {
            rig.H.Simulator.RegisterJob(JobJson.Service("long-batch", group: "b", count: 1, cpu: 100, type: "batch", nodeClass: "nom-pool"));
            await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetRunningCount("long-batch", "b") == 1, TimeSpan.FromSeconds(1));
        }

        using var nomad = new NomadClient(new NomadClientOptions { Address = rig.H.Simulator.Address.ToString() });
        string? chosen = null;
        foreach (var candidate in rig.H.Simulator.GetNodes())
        {
            var busy = (await nomad.GetNodeAllocationsAsync(candidate.Id)).Value.Any(a => a.ClientStatus == "running");
            if (busy == keepOpen) chosen = candidate.Id;
        }

        Assert.NotNull(chosen);
        await nomad.UpdateDrainAsync(chosen, new DrainSpec(TimeSpan.FromHours(1), false), meta: new Dictionary<string, string> { [ClusterConfigKeys.DrainedBy] = DrainSettings.DrainedByValue });
        await rig.H.AdvanceUntilAsync(() => rig.H.Simulator.GetNodes().Single(n => n.Id == chosen).Draining == keepOpen, TimeSpan.FromSeconds(1));
        return chosen;
    }

    [Fact]
    public async Task ScaleOut_ReclaimsANodeDrainingForScaleIn_InsteadOfBooting()
    {
        await using var rig = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.Zero });
        var draining = await DrainOnePoolNodeAsync(rig, keepOpen: true);

        await rig.DriveAsync(() => rig.Plugin.ScaleAsync(Up(3), Target(), CancellationToken.None).AsTask());

        Assert.Equal(2, rig.Cloud.Servers("nom").Count);
        var node = rig.H.Simulator.GetNodes().Single(n => n.Id == draining);
        Assert.False(node.Draining);
        Assert.Equal("eligible", node.SchedulingEligibility);
        Assert.Equal(1, rig.H.Simulator.GetRunningCount("long-batch", "b"));
        Assert.Contains(rig.Log.Messages, m => m.StartsWith("reclaimed draining nodes instead of booting servers: pool_name=nom reclaimed=1 booting=0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_RestoresEligibilityOfANodeAnEarlierScaleInLeftIneligible()
    {
        await using var rig = await StartAsync(new SimulatedCloudOptions { BootDelay = TimeSpan.Zero });
        var left = await DrainOnePoolNodeAsync(rig, keepOpen: false);
        Assert.Equal("ineligible", rig.H.Simulator.GetNodes().Single(n => n.Id == left).SchedulingEligibility);

        var status = await rig.Plugin.GetStatusAsync(Target(), CancellationToken.None);

        Assert.Equal(2L, status!.Count);
        Assert.Equal("eligible", rig.H.Simulator.GetNodes().Single(n => n.Id == left).SchedulingEligibility);
        Assert.Contains(rig.Log.Messages, m => m.StartsWith("restored eligibility of node left behind by an earlier scale-in: node_id=" + left, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Target_BadKeys_AreRefusedWithTheirNames()
    {
        await using var rig = await StartAsync();

        var error = await Assert.ThrowsAsync<PluginConfigException>(() => rig.Plugin.GetStatusAsync(
            new PluginSettings(new Dictionary<string, string> { ["node_cpu"] = "-5", ["flavor"] = "big" }), CancellationToken.None).AsTask());

        Assert.Contains(error.Violations, v => v.Key == "node_class");
        Assert.Contains(error.Violations, v => v.Key == "node_cpu");
        Assert.Contains(error.Violations, v => v.Key == "flavor");
    }

    [Fact]
    public async Task Configure_TlsSettings_AreRefused()
    {
        using var handler = new SocketsHttpHandler();
        using var plugin = new SimCloudTargetPlugin(null, TimeProvider.System, handler);
        var error = await Assert.ThrowsAsync<PluginConfigException>(() =>
            plugin.ConfigureAsync(new SimCloudOptions { NomadAddress = "http://127.0.0.1:4646", NomadCaCert = "/ca.pem" }, CancellationToken.None).AsTask());
        Assert.Contains(error.Violations, v => v.Key == "nomad_ca-cert");
    }
}
