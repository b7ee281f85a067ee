using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using static NomadAutoscaler.Plugins.Nomad.Tests.StubNomad;
using static NomadAutoscaler.Plugins.Nomad.Tests.TestClients;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class ClusterScaleInTests
{
    private static readonly string Hostname = """{"unique.platform.aws.hostname":"vm-HOST"}""";

    private static string Attrs(string id) => Hostname.Replace("HOST", id, StringComparison.Ordinal);

    private static StubNomad Pool(params string[] extraStubs)
        => new StubNomad()
            .On("GET", "/v1/nodes", Json(Nodes([NodeStub("n1", 10, "wrk"), NodeStub("n2", 20, "wrk"), NodeStub("n3", 30, "wrk"), NodeStub("other", 40, "x"), .. extraStubs])))
            .On("GET", "/v1/node/n1", Json(FullNode("n1", attributes: Attrs("n1"))))
            .On("GET", "/v1/node/n2", Json(FullNode("n2", attributes: Attrs("n2"))))
            .On("GET", "/v1/node/n3", Json(FullNode("n3", attributes: Attrs("n3"))))
            .On("GET", "/v1/node/self", Json(FullNode("self", attributes: Attrs("self"))))
            .On("GET", "/v1/node/other", Json(FullNode("other", attributes: Attrs("other"))))
            .OnMatch("GET", p => p.EndsWith("/allocations", StringComparison.Ordinal), Json("[]"));

    private static ClusterScaleInOptions Options(string strategy = "newest_create_index")
        => ClusterScaleInOptions.FromConfig(new Dictionary<string, string> { ["node_class"] = "wrk", ["node_selector_strategy"] = strategy });

    [Fact]
    public async Task Selection_maps_remote_ids_and_keeps_only_instances_of_the_group()
    {
        var stub = Pool(NodeStub("self", 50, "wrk"));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null)) { SelfNodeId = "self" };

        var selected = await scaleIn.SelectNodesForScaleInAsync(Options(), 2, ["vm-n1", "vm-n2", "vm-self"]);

        // n3 is not in the group and "self" runs the autoscaler; newest first among the rest.
        Assert.Equal([("n2", "vm-n2"), ("n1", "vm-n1")], selected.Select(n => (n.NodeId, n.RemoteId)));
        Assert.Equal("resources=true", stub.Requests[0].Query);
    }

    [Fact]
    public async Task Selection_errors_follow_upstream()
    {
        using var client = Create(Pool());
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null));
        Assert.Equal("number of nodes requested for removal must be greater than zero",
            (await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.SelectNodesForScaleInAsync(Options(), 0, null))).Message);
        Assert.Equal("no nodes identified for scaling in action",
            (await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.SelectNodesForScaleInAsync(Options(), 1, ["vm-zzz"]))).Message);
        var missingAttr = new ClusterScaleIn(client, NodeRemoteId.FromAttribute("unique.platform.aws.instance-id"));
        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => missingAttr.SelectNodesForScaleInAsync(Options(), 1, null));
        Assert.Contains("attribute \"unique.platform.aws.instance-id\" not found", ex.Message);
        var emptyPool = ClusterScaleInOptions.FromConfig(new Dictionary<string, string> { ["node_class"] = "none", ["datacenter"] = "dc1" });
        Assert.Equal("no nodes unfiltered for pool identifiers: node_class=none, datacenter=dc1",
            (await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.SelectNodesForScaleInAsync(emptyPool, 1, null))).Message);
    }

    [Fact]
    public async Task Selecting_more_than_available_is_capped()
    {
        using var client = Create(Pool());
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null));
        var selected = await scaleIn.SelectNodesForScaleInAsync(Options("oldest_create_index"), 10, null);
        Assert.Equal(["n1", "n2", "n3"], selected.Select(n => n.NodeId));
    }

    [Fact]
    public async Task ChooseRemovable_picks_among_the_removable_nodes_and_may_not_pick_others()
    {
        using var client = Create(Pool());
        IReadOnlyList<string>? offered = null;
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null))
        {
            ChooseRemovable = (removable, count) =>
            {
                offered = [.. removable.Select(n => n.NodeId)];
                return [.. removable.Skip(removable.Count - count)];
            },
        };

        var selected = await scaleIn.SelectNodesForScaleInAsync(Options(), 1, null);

        // The strategy ranks n3, n2, n1; the target gets all three and chooses the last.
        Assert.Equal(["n3", "n2", "n1"], offered);
        Assert.Equal(["n1"], selected.Select(n => n.NodeId));

        scaleIn.ChooseRemovable = (removable, _) => [.. removable];
        var tooMany = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.SelectNodesForScaleInAsync(Options(), 1, null));
        Assert.Equal("the target chose more nodes for scale-in than allowed, or nodes that are not removable", tooMany.Message);

        // Asked even when every removable node may go (a target counting capacity may want fewer), and choosing none
        // is a no-op with its reason rather than an error.
        offered = null;
        scaleIn.ChooseRemovable = (removable, _) =>
        {
            offered = [.. removable.Select(n => n.NodeId)];
            return [];
        };
        var none = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.SelectNodesForScaleInAsync(Options(), 3, null));
        Assert.Equal(["n3", "n2", "n1"], offered);
        Assert.True(none.NothingRemovable);
        Assert.Equal("the target kept all 3 removable nodes", none.Message);
    }

    [Fact]
    public async Task Drain_waits_for_drain_strategy_gone_and_allocations_stopped()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/node/n1/drain", Json("""{"NodeModifyIndex":100,"EvalIDs":null,"EvalCreateIndex":0,"Index":100}""", 100))
            .On("GET", "/v1/node/n1", Json(FullNode("n1", RunningDrain), 101), Json(FullNode("n1"), 105))
            .On("GET", "/v1/node/n1/allocations",
                Json("[" + Alloc("a", "running") + "]", 50),
                Json("[" + Alloc("a", "running", "stop") + "]", 102),
                Json("[" + Alloc("a", "complete", "stop") + "," + Alloc("s", "running", jobType: "system") + "]", 106),
                Json("[" + Alloc("a", "complete", "stop") + "," + Alloc("s", "complete", "stop", jobType: "system") + "]", 107));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null), timeProvider: new FakeTimeProvider());
        var node = new ClusterNode("n1", "vm-n1", new NodeListStub { ID = "n1" });

        var drained = await scaleIn.DrainAsync([node], new DrainSettings());

        Assert.Equal([node], drained);
        var nodeReads = stub.Requests.Where(r => r.Path == "/v1/node/n1" && r.Method == "GET").Select(r => r.Query).ToList();
        Assert.StartsWith("index=100&", nodeReads[0], StringComparison.Ordinal);
        Assert.Contains("stale=", nodeReads[0], StringComparison.Ordinal);
        Assert.StartsWith("index=101&", nodeReads[1], StringComparison.Ordinal);
        var allocReads = stub.Requests.Where(r => r.Path == "/v1/node/n1/allocations").Select(r => r.Query).ToList();
        Assert.Equal("stale=", allocReads[0]);
        // A system allocation still running keeps the drain open unless system jobs are ignored.
        Assert.Equal(4, allocReads.Count);
        Assert.StartsWith("index=106&", allocReads[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_ignoring_system_jobs_does_not_wait_for_them()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/node/n1/drain", Json("""{"Index":100}""", 100))
            .On("GET", "/v1/node/n1", Json(FullNode("n1"), 105))
            .On("GET", "/v1/node/n1/allocations", Json("[" + Alloc("s", "running", jobType: "system") + "]", 106));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null), timeProvider: new FakeTimeProvider());
        await scaleIn.DrainAsync([new ClusterNode("n1", "vm-n1", new NodeListStub { ID = "n1" })], new DrainSettings { IgnoreSystemJobs = true });
        var body = System.Text.Json.Nodes.JsonNode.Parse(stub.Requests[0].Body!)!;
        Assert.True((bool)body["DrainSpec"]!["IgnoreSystemJobs"]!);
        Assert.Single(stub.Requests, r => r.Path == "/v1/node/n1/allocations");
    }

    [Fact]
    public async Task Failed_drain_reports_which_nodes_are_safe_to_terminate()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/node/ok/drain", Json("""{"Index":100}""", 100))
            .On("GET", "/v1/node/ok", Json(FullNode("ok"), 105))
            .On("GET", "/v1/node/ok/allocations", Json("[]", 1))
            .On("PUT", "/v1/node/gone/drain", Json("""{"Index":100}""", 100))
            .On("GET", "/v1/node/gone", Error(404, "node not found", 110))
            .On("GET", "/v1/node/gone/allocations", Json("[" + Alloc("a", "running") + "]", 1));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null), timeProvider: new FakeTimeProvider());
        var ok = new ClusterNode("ok", "vm-ok", new NodeListStub { ID = "ok" });
        var gone = new ClusterNode("gone", "vm-gone", new NodeListStub { ID = "gone" });

        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.DrainAsync([ok, gone], new DrainSettings()));

        Assert.StartsWith("failed to drain node: received error while draining node: Error monitoring node: Unexpected response code: 404", ex.Message, StringComparison.Ordinal);
        Assert.Equal([ok], ex.DrainedNodes);
        Assert.Equal([gone], ex.FailedNodes);
    }

    [Fact]
    public async Task Cancelled_drain_is_reported_with_context_message()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/node/n1/drain", Json("""{"Index":100}""", 100))
            .On("GET", "/v1/node/n1", Json(FullNode("n1", RunningDrain), 0))
            .On("GET", "/v1/node/n1/allocations", Json("[" + Alloc("a", "running") + "]", 0));
        using var client = Create(stub);
        var time = new FakeTimeProvider();
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null), timeProvider: time);
        using var cts = new CancellationTokenSource();
        var drain = scaleIn.DrainAsync([new ClusterNode("n1", "vm", new NodeListStub { ID = "n1" })], new DrainSettings(), cts.Token);
        // Without an index header the watch polls on the time provider instead of spinning.
        await WaitUntil(() => stub.Count("GET", "/v1/node/n1") == 1 && stub.Count("GET", "/v1/node/n1/allocations") == 1);
        Assert.False(drain.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => stub.Count("GET", "/v1/node/n1") == 2);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => drain);
        Assert.StartsWith("context done while monitoring node drain", ex.Message, StringComparison.Ordinal);
        Assert.Empty(ex.DrainedNodes);
    }

    [Fact]
    public async Task Purge_and_eligibility_restore_aggregate_errors()
    {
        var stub = new StubNomad()
            .On("PUT", "/v1/node/a/purge", Fixture("PUT_v1_node_NODEID_purge.response.json"))
            .On("PUT", "/v1/node/b/purge", Error(500, "node not found"))
            .On("PUT", "/v1/node/a/drain", Json("""{"Index":5}"""));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null));
        ClusterNode N(string id) => new(id, "vm-" + id, new NodeListStub { ID = id });
        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.PurgeAsync([N("a"), N("b")]));
        Assert.Equal("failed to purge nodes: node b: Unexpected response code: 500 (node not found)", ex.Message);
        await scaleIn.RunPostScaleInTasksAsync(Options() with { Purge = false }, [N("b")]);
        Assert.Equal(2, stub.Requests.Count);
        await scaleIn.RestoreEligibilityAsync([N("a")]);
        Assert.Contains("\"MarkEligible\":true", stub.Requests[2].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allocation_landing_between_selection_and_marking_ineligible_is_caught_and_the_node_restored()
    {
        // Upstream #571: empty_ignore_system picked an empty node, then a batch job landed on it before the drain.
        var stub = Pool()
            .On("GET", "/v1/node/n3/allocations", Json("[]"), Json("[]"), Json("[" + Alloc("batch-7", "running", jobType: "batch") + "]"))
            .On("PUT", "/v1/node/n3/eligibility", Json("""{"Index":7}"""))
            .On("PUT", "/v1/node/n3/drain", Json("""{"Index":8}"""));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null), timeProvider: new FakeTimeProvider());

        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.RunPreScaleInTasksAsync(Options("empty_ignore_system"), 1, ["vm-n3"]));

        Assert.True(ex.NothingRemovable);
        Assert.Equal("scale-in limited to 0 of 1: an allocation landed on node n3 between selection and marking it ineligible", ex.Message);
        var writes = stub.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal("/v1/node/n3/eligibility", writes[0].Path);
        Assert.Contains("\"Eligibility\":\"ineligible\"", writes[0].Body, StringComparison.Ordinal);
        // The only drain call is the one that gives eligibility back: no drain ever started.
        Assert.Equal("/v1/node/n3/drain", Assert.Single(writes.Skip(1)).Path);
        Assert.Contains("\"MarkEligible\":true", writes[1].Body, StringComparison.Ordinal);
        Assert.Contains("\"DrainSpec\":null", writes[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_whose_work_fits_nowhere_else_is_never_marked_and_the_reason_names_the_job()
    {
        // Only n1 is a home, and it is full; n2's batch job has nowhere to go.
        var stub = Pool()
            .On("GET", "/v1/node/n1", Json(FullNode("n1", attributes: Attrs("n1"), cpu: 100, memory: 200).Replace("\"ineligible\"", "\"eligible\"", StringComparison.Ordinal)))
            .On("GET", "/v1/node/n2/allocations", Json("[" + Alloc("batch-7", "running", jobType: "batch") + "]"));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null));

        var ex = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.RunPreScaleInTasksAsync(Options(), 1, ["vm-n2"]));

        Assert.True(ex.NothingRemovable);
        Assert.Equal("scale-in limited to 0 of 1: allocations of job j on node n2 fit nowhere else", ex.Message);
        Assert.DoesNotContain(stub.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task Max_draining_caps_the_step_and_counts_nodes_already_draining()
    {
        var stub = Pool(NodeStub("d1", 60, "wrk", drain: true));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null));
        var options = ClusterScaleInOptions.FromConfig(new Dictionary<string, string>
        {
            ["node_class"] = "wrk", ["node_selector_strategy"] = "newest_create_index", ["node_filter_ignore_drain"] = "true", ["max_draining"] = "2",
        });

        var selected = await scaleIn.SelectNodesForScaleInAsync(options, 3, null);
        Assert.Equal(["n3"], selected.Select(n => n.NodeId));

        var blocked = await Assert.ThrowsAsync<ClusterScaleException>(() => scaleIn.SelectNodesForScaleInAsync(options with { MaxDraining = DisruptionBudget.Parse("25%") }, 3, null));
        Assert.True(blocked.NothingRemovable);
        Assert.Equal("scale-in limited to 0 of 3: max_draining=25% allows 0 more draining node(s) in a pool of 4 with 1 draining", blocked.Message);
    }

    [Fact]
    public async Task Self_node_is_found_from_the_allocation_id()
    {
        var stub = new StubNomad().On("GET", "/v1/allocation/alloc-1", Json(Alloc("alloc-1", "running")));
        using var client = Create(stub);
        var scaleIn = new ClusterScaleIn(client, NodeRemoteId.ForOpenStack(null, null));
        await scaleIn.InitializeSelfNodeAsync(k => k == "NOMAD_ALLOC_ID" ? "alloc-1" : null);
        Assert.Equal("n1", scaleIn.SelfNodeId);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            cts.Token.ThrowIfCancellationRequested();
            await Task.Delay(1, CancellationToken.None);
        }
    }
}
