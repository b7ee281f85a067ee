using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Simulator;
using static NomadAutoscaler.Plugins.Nomad.Tests.ScaleInWorkload;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

/// <summary>The scale-in pipeline against the Nomad simulator's real HTTP API: job meta, drains, drain meta and
/// eligibility as Nomad reports them.</summary>
public sealed class ScaleInSimulatorTests : IAsyncLifetime
{
    // Fixed IDs make the simulator's best-fit placement (ties go to the smallest ID) predictable.
    private const string W1 = "10000000-0000-4000-8000-000000000001";
    private const string W2 = "10000000-0000-4000-8000-000000000002";
    private const string W3 = "10000000-0000-4000-8000-000000000003";
    private const string Spare = "10000000-0000-4000-8000-000000000009";

    private readonly NomadSimulator _simulator = new();
    private NomadClient _client = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(50), AllocStopDelay = TimeSpan.FromMilliseconds(50), TickInterval = TimeSpan.FromMilliseconds(50) };
        options.Nodes.Add(Node(W1, "w1", "wrk", "a"));
        options.Nodes.Add(Node(W2, "w2", "wrk", "b"));
        options.Nodes.Add(Node(W3, "w3", "wrk", "c"));
        options.Nodes.Add(Node(Spare, "spare", "other", "c"));
        var address = await _simulator.StartAsync(options);
        _client = new NomadClient(new NomadClientOptions { Address = address.ToString() });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _simulator.DisposeAsync();
    }

    private static ClusterScaleInOptions Pool(string strategy = "least_busy") => ClusterScaleInOptions.FromConfig(new Dictionary<string, string>
    {
        ["node_class"] = "wrk", ["node_selector_strategy"] = strategy, ["node_drain_deadline"] = "1h",
    });

    private ClusterScaleIn Helper() => new(_client, node => node.Name);

    private SimulatorNodeInfo NodeInfo(string id) => _simulator.GetNodes().Single(n => n.Id == id);

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, "timed out waiting for " + what);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task PlaceWorkloadAsync()
    {
        // batch-7 (900 MHz) may run on slot a or c and lands on w1; web (400) on slot c lands on w3 (smaller ID than
        // spare); db (200, do-not-disrupt) on slot b lands on w2.
        _simulator.RegisterJob(Job("batch-7", "batch", 900, "^(a|c)$"));
        _simulator.RegisterJob(Job("web", "service", 400, "^c$"));
        _simulator.RegisterJob(Job("db", "service", 200, "^b$", new() { [ClusterConfigKeys.DoNotDisrupt] = "true" }));
        await WaitForAsync(() => _simulator.GetRunningCount("batch-7", "batch-7") == 1 && _simulator.GetRunningCount("web", "web") == 1
            && _simulator.GetRunningCount("db", "db") == 1, "the workload to run");
    }

    [Fact]
    public async Task Scale_in_of_three_removes_only_the_node_whose_work_fits_elsewhere_and_nothing_protected()
    {
        await PlaceWorkloadAsync();

        var helper = Helper();
        var drained = await helper.RunPreScaleInTasksAsync(Pool(), 3, null);

        // w3's web moves to spare; then batch-7 has no room left (spare keeps 600), and db is protected.
        Assert.Equal(["w3"], drained.Select(n => n.RemoteId));
        Assert.Equal("ineligible", NodeInfo(W3).SchedulingEligibility);
        Assert.Equal("eligible", NodeInfo(W1).SchedulingEligibility);
        Assert.Equal("eligible", NodeInfo(W2).SchedulingEligibility);
        var web = (await _client.GetJobAllocationsAsync("web")).Value.Single(a => a.ClientStatus is "running" or "pending");
        Assert.Equal(Spare, web.NodeID);
        Assert.Equal(1, _simulator.GetRunningCount("batch-7", "batch-7"));
        Assert.Equal(1, _simulator.GetRunningCount("db", "db"));

        // Until the target reports the instance gone, drain hygiene must not give the node back.
        Assert.Empty(await Helper().RestoreLeftoverNodesAsync(Pool().Pool));
        await helper.RunPostScaleInTasksAsync(Pool(), drained);
        Assert.Equal([W3], await Helper().RestoreLeftoverNodesAsync(Pool().Pool));
    }

    [Fact]
    public async Task When_nothing_may_go_no_node_is_touched_and_the_reason_names_every_obstacle()
    {
        await PlaceWorkloadAsync();
        _simulator.SetNodeStatus(Spare, "down");

        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => Helper().RunPreScaleInTasksAsync(Pool(), 2, null));

        Assert.True(ex.NothingRemovable);
        Assert.StartsWith("scale-in limited to 0 of 2: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"job db on node {W2} has nomad_autoscaler.do_not_disrupt=true", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"allocations of job web on node {W3} fit nowhere else", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"allocations of job batch-7 on node {W1} fit nowhere else", ex.Message, StringComparison.Ordinal);
        Assert.All(new[] { W1, W2, W3 }, id => Assert.Equal("eligible", NodeInfo(id).SchedulingEligibility));
    }

    [Fact]
    public async Task Drain_hygiene_restores_nodes_the_autoscaler_left_ineligible_and_leaves_others_alone()
    {
        // A finished autoscaler drain whose instance was never deleted, and an operator's drain.
        await _client.UpdateDrainAsync(W3, new DrainSpec(TimeSpan.FromHours(1), false), false, new Dictionary<string, string> { ["drained_by"] = "nomad-autoscaler" });
        await _client.UpdateDrainAsync(W2, new DrainSpec(TimeSpan.FromHours(1), false), false, new Dictionary<string, string> { ["drained_by"] = "operator" });
        await WaitForAsync(() => !NodeInfo(W3).Draining && !NodeInfo(W2).Draining && NodeInfo(W3).LastDrainStatus == "complete", "both drains to finish");

        var restored = await Helper().RestoreLeftoverNodesAsync(Pool().Pool);

        Assert.Equal([W3], restored);
        Assert.Equal("eligible", NodeInfo(W3).SchedulingEligibility);
        Assert.Equal("ineligible", NodeInfo(W2).SchedulingEligibility);
        Assert.Empty(await Helper().RestoreLeftoverNodesAsync(Pool().Pool));
    }

    [Fact]
    public async Task A_node_left_ineligible_because_Nomad_failed_the_recheck_and_the_restore_is_restored_by_drain_hygiene()
    {
        await PlaceWorkloadAsync();
        // Once w3 is marked ineligible, Nomad fails the re-check's node list and then the restore of eligibility.
        _simulator.Faults.BeforeFirst("PUT", $"/v1/node/{W3}/eligibility", _ =>
        {
            _simulator.Faults.Fail("/v1/nodes");
            _simulator.Faults.Fail($"/v1/node/{W3}/drain");
        });

        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => Helper().RunPreScaleInTasksAsync(Pool(), 1, null));
        Assert.Contains("failed to restore node eligibility", ex.Message, StringComparison.Ordinal);
        Assert.Equal("ineligible", NodeInfo(W3).SchedulingEligibility);
        Assert.False(NodeInfo(W3).Draining);

        _simulator.Faults.Clear();
        Assert.Equal([W3], await Helper().RestoreLeftoverNodesAsync(Pool().Pool));
        Assert.Equal("eligible", NodeInfo(W3).SchedulingEligibility);
        Assert.Empty(await Helper().RestoreLeftoverNodesAsync(Pool().Pool));
    }

    [Fact]
    public async Task A_scale_out_cancels_a_running_scale_in_drain_and_the_waiting_scale_in_removes_nothing()
    {
        await PlaceWorkloadAsync();
        var w1 = new ClusterNode(W1, "w1", new NodeListStub { ID = W1 });
        // batch-7 keeps the drain open until its one-hour deadline.
        var drain = Helper().DrainAsync([w1], Pool().Drain);
        await WaitForAsync(() => NodeInfo(W1).Draining, "the drain to start");

        var cancelled = await Helper().CancelScaleInDrainsAsync(Pool().Pool, 5);

        Assert.Equal([W1], cancelled);
        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => drain);
        Assert.Contains("was cancelled", ex.Message, StringComparison.Ordinal);
        Assert.Equal([w1], ex.FailedNodes);
        Assert.Empty(ex.DrainedNodes);
        Assert.Equal("eligible", NodeInfo(W1).SchedulingEligibility);
        Assert.Equal(1, _simulator.GetRunningCount("batch-7", "batch-7"));
    }
}
