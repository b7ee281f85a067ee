using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;
using static NomadAutoscaler.Plugins.Nomad.Tests.StubNomad;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class ClusterTests
{
    private const string N151 = "151be1dc-92e7-a488-f7dc-49faaf5a4c96";
    private const string Nb2d = "b2d5bbb6-a61d-ee1f-a896-cbc6efe4f7fe";
    private const string Nb53 = "b535e699-1112-c379-c020-ebd80fdd9f09";

    private static NodeListStub Stub(string id, ulong createIndex = 1, string nodeClass = "", string dc = "dc1", string pool = "default",
        string status = "ready", string eligibility = "eligible", bool drain = false)
        => new() { ID = id, CreateIndex = createIndex, NodeClass = nodeClass, Datacenter = dc, NodePool = pool, Status = status, SchedulingEligibility = eligibility, Drain = drain };

    [Theory]
    [InlineData("wrk", null, null, "wrk", "dc1", "default", true)]
    [InlineData("wrk", null, null, "other", "dc1", "default", false)]
    [InlineData("autoscaler-default-pool", null, null, "", "dc1", "default", true)]
    [InlineData("wrk", null, null, "", "dc1", "default", false)]
    [InlineData("wrk", "dc1", null, "wrk", "dc2", "default", false)]
    [InlineData("wrk", "dc1", "gpu", "wrk", "dc1", "gpu", true)]
    [InlineData(null, null, "gpu", "wrk", "dc1", "default", false)]
    [InlineData(null, "dc2", null, "", "dc2", "x", true)]
    public void Pool_membership_requires_every_key(string? cls, string? dc, string? pool, string nodeClass, string nodeDc, string nodePool, bool expected)
        => Assert.Equal(expected, new NodePoolIdentifier { NodeClass = cls, Datacenter = dc, NodePool = pool }.Matches(nodeClass, nodeDc, nodePool));

    [Fact]
    public void Pool_identifier_from_config_requires_a_key_and_formats_for_messages()
    {
        Assert.Throws<PluginConfigException>(() => NodePoolIdentifier.FromConfig(new Dictionary<string, string>()));
        var pool = NodePoolIdentifier.FromConfig(new Dictionary<string, string> { ["node_class"] = "x", ["datacenter"] = "y" });
        Assert.Equal("node_class=x, datacenter=y", pool.ToString());
    }

    [Fact]
    public void Filter_keeps_ready_eligible_members_and_skips_down_nodes()
    {
        var pool = new NodePoolIdentifier { NodeClass = "wrk" };
        var nodes = new[]
        {
            Stub("ok", nodeClass: "wrk"), Stub("down", nodeClass: "wrk", status: "down"), Stub("disc", nodeClass: "wrk", status: "disconnected"),
            Stub("inel", nodeClass: "wrk", eligibility: "ineligible"), Stub("other", nodeClass: "x", status: "initializing"),
        };
        Assert.Equal(["ok"], NodePoolFilter.Filter(nodes, pool, new NodeFilterOptions()).Select(n => n.ID));
        Assert.Equal(["ok", "inel"], NodePoolFilter.Filter(nodes, pool, new NodeFilterOptions { IgnoreIneligible = true }).Select(n => n.ID));
    }

    [Fact]
    public void Filter_fails_on_initializing_or_draining_members_unless_told_to_skip()
    {
        var pool = new NodePoolIdentifier { Datacenter = "dc1" };
        var nodes = new[] { Stub("a"), Stub("i", status: "initializing"), Stub("d", drain: true, eligibility: "ineligible") };
        var ex = Assert.Throws<ClusterScaleException>(() => NodePoolFilter.Filter(nodes, pool, new NodeFilterOptions()));
        Assert.Equal("node i is initializing, node d is draining", ex.Message);
        Assert.Equal(["a"], NodePoolFilter.Filter(nodes, pool, new NodeFilterOptions { IgnoreInit = true, IgnoreDrain = true }).Select(n => n.ID));
    }

    [Fact]
    public void Filter_reports_at_most_ten_errors()
    {
        var nodes = Enumerable.Range(0, 12).Select(i => Stub($"n{i}", status: "initializing"));
        var ex = Assert.Throws<ClusterScaleException>(() => NodePoolFilter.Filter(nodes, new NodePoolIdentifier { Datacenter = "dc1" }, new NodeFilterOptions()));
        Assert.Equal(10, ex.Message.Split(", ").Length);
    }

    [Fact]
    public void Filter_options_from_config_reject_bad_booleans_by_key()
    {
        var ex = Assert.Throws<PluginConfigException>(() => NodeFilterOptions.FromConfig(new Dictionary<string, string> { ["node_filter_ignore_drain"] = "yes" }));
        Assert.Equal("node_filter_ignore_drain", Assert.Single(ex.Violations).Key);
        Assert.Contains("failed to parse node filter options", ex.Message);
        Assert.True(NodeFilterOptions.FromConfig(new Dictionary<string, string> { ["node_filter_ignore_init"] = "true" }).IgnoreInit);
    }

    [Theory]
    [InlineData(NodeSelectorStrategy.NewestCreateIndex, 2, new[] { "c", "b" })]
    [InlineData(NodeSelectorStrategy.OldestCreateIndex, 2, new[] { "a", "b" })]
    [InlineData(NodeSelectorStrategy.OldestCreateIndex, 5, new[] { "a", "b", "c" })]
    public async Task Create_index_selectors_follow_the_newest_first_order(NodeSelectorStrategy strategy, int count, string[] expected)
    {
        using var client = TestClients.Create(new StubNomad());
        var candidates = new[] { Stub("c", 30), Stub("b", 20), Stub("a", 10) };
        Assert.Equal(expected, (await NodeSelector.SelectAsync(client, candidates, count, strategy)).Select(n => n.ID));
    }

    private static StubNomad Cluster1()
        => new StubNomad()
            .On("GET", $"/v1/node/{N151}/allocations", Fixture("GET_v1_node_NODEID_allocations.cluster1-151be1dc.json"))
            .On("GET", $"/v1/node/{Nb2d}/allocations", Fixture("GET_v1_node_NODEID_allocations.cluster1-b2d5bbb6.json"))
            .On("GET", $"/v1/node/{Nb53}/allocations", Fixture("GET_v1_node_NODEID_allocations.cluster1-b535e699.json"));

    private static NodeListStub WithResources(string id, ulong createIndex) => Stub(id, createIndex) with
    {
        NodeResources = new NodeResources { Cpu = new NodeCpuResources { CpuShares = 2500 }, Memory = new NodeMemoryResources { MemoryMB = 2000 } },
        ReservedResources = new NodeReservedResources(),
    };

    [Theory]
    [InlineData(NodeSelectorStrategy.LeastBusy, 3, new[] { Nb53, Nb2d, N151 })]
    [InlineData(NodeSelectorStrategy.LeastBusy, 1, new[] { Nb53 })]
    [InlineData(NodeSelectorStrategy.Empty, 3, new[] { Nb53 })]
    [InlineData(NodeSelectorStrategy.EmptyIgnoreSystem, 3, new[] { Nb2d, Nb53 })]
    [InlineData(NodeSelectorStrategy.EmptyIgnoreSystem, 1, new[] { Nb2d })]
    public async Task Allocation_based_selectors_on_the_upstream_cluster1_fixtures(NodeSelectorStrategy strategy, int count, string[] expected)
    {
        using var client = TestClients.Create(Cluster1());
        var candidates = new[] { WithResources(N151, 30), WithResources(Nb2d, 20), WithResources(Nb53, 10) };
        Assert.Equal(expected, (await NodeSelector.SelectAsync(client, candidates, count, strategy)).Select(n => n.ID));
    }

    [Fact]
    public void Least_busy_score_uses_running_allocations_only_with_ceilings()
    {
        var total = new NodeResources { Cpu = new NodeCpuResources { CpuShares = 2500 }, Memory = new NodeMemoryResources { MemoryMB = 2000 } };
        var allocations = new[]
        {
            new Allocation { ClientStatus = "running", Resources = new Resources { CPU = 100, MemoryMB = 256 } },
            new Allocation { ClientStatus = "running", Resources = new Resources { CPU = 100, MemoryMB = 256 } },
            new Allocation { ClientStatus = "complete", Resources = new Resources { CPU = 100, MemoryMB = 1500 } },
        };
        // cpu ceil(200*100/2500)=8, memory ceil(512*100/2000)=26, score ceil(34/2)=17
        Assert.Equal(17, NodeSelector.LeastBusyScore(total, null, allocations));
        Assert.Equal(100, NodeSelector.LeastBusyScore(null, null, allocations));
    }

    [Fact]
    public async Task Least_busy_selects_nothing_when_a_read_fails()
    {
        using var client = TestClients.Create(new StubNomad().On("GET", $"/v1/node/{Nb53}/allocations", Error(403, "Permission denied")));
        Assert.Empty(await NodeSelector.SelectAsync(client, [WithResources(Nb53, 1)], 1, NodeSelectorStrategy.LeastBusy));
    }

    [Fact]
    public void Strategy_names_parse_and_unknown_values_fail()
    {
        Assert.Equal(NodeSelectorStrategy.LeastBusy, NodeSelector.ParseStrategy(null));
        Assert.Equal(NodeSelectorStrategy.EmptyIgnoreSystem, NodeSelector.ParseStrategy("empty_ignore_system"));
        Assert.Equal("newest_create_index", NodeSelector.Name(NodeSelector.ParseStrategy("newest_create_index")));
        var ex = Assert.Throws<PluginConfigException>(() => NodeSelector.ParseStrategy("random"));
        Assert.Contains("unsupported node selector strategy: random", ex.Message);
    }

    [Fact]
    public void Remote_id_lookups()
    {
        var node = new Node
        {
            Attributes = new Dictionary<string, string> { ["unique.platform.aws.hostname"] = "vm-1", ["platform.gce.zone"] = "z1", ["unique.platform.gce.hostname"] = "host.c.proj.internal" },
            Meta = new Dictionary<string, string> { ["nova_id"] = "uuid-1", ["unique.platform.azure.name"] = "az-1" },
        };
        Assert.Equal("vm-1", NodeRemoteId.ForOpenStack(null, null)(node));
        Assert.Equal("uuid-1", NodeRemoteId.ForOpenStack("meta.nova_id", "unique.platform.aws.hostname")(node));
        Assert.Equal("az-1", NodeRemoteId.AzureName(node));
        Assert.Equal("zones/z1/instances/host", NodeRemoteId.GceInstance(node));
        Assert.Equal("attribute \"nova_uuid\" not found", Assert.Throws<ClusterScaleException>(() => NodeRemoteId.FromAttribute("meta.nova_uuid")(node)).Message);
        Assert.Throws<ClusterScaleException>(() => NodeRemoteId.AwsInstanceId(node));
    }

    [Fact]
    public void Scale_in_options_report_every_bad_key_at_once()
    {
        var ex = Assert.Throws<PluginConfigException>(() => ClusterScaleInOptions.FromConfig(new Dictionary<string, string>
        {
            ["node_drain_deadline"] = "forever",
            ["node_drain_ignore_system_jobs"] = "perhaps",
            ["node_selector_strategy"] = "random",
            ["node_purge"] = "sometimes",
        }));
        Assert.Equal(["node_class", "node_drain_deadline", "node_drain_ignore_system_jobs", "node_selector_strategy", "node_purge"], ex.Violations.Select(v => v.Key));
        var ok = ClusterScaleInOptions.FromConfig(new Dictionary<string, string> { ["node_pool"] = "p", ["node_drain_deadline"] = "1h", ["node_purge"] = "true" });
        Assert.Equal(TimeSpan.FromHours(1), ok.Drain.Deadline);
        Assert.True(ok.Purge);
        Assert.True(ok.Filter.IgnoreIneligible);
        Assert.Equal(NodeSelectorStrategy.LeastBusy, ok.Strategy);
        Assert.Equal("nomad-autoscaler", ok.Drain.Meta["drained_by"]);
    }

    [Fact]
    public void Pool_status_counts_states()
    {
        var nodes = new[]
        {
            Stub("r1"), Stub("r2"), Stub("i", eligibility: "ineligible"), Stub("d", drain: true), Stub("init", status: "initializing"), Stub("down", status: "down"), Stub("x", dc: "dc9"),
        };
        var pool = new NodePoolIdentifier { Datacenter = "dc1" };
        var status = ClusterStatus.Summarise(nodes, pool, new NodeFilterOptions());
        Assert.False(status.Ready);
        Assert.Equal((2, 1, 1, 1, 1), (status.ReadyNodes, status.IneligibleNodes, status.DrainingNodes, status.InitializingNodes, status.DownNodes));
        Assert.Contains("node init is initializing", status.NotReadyReason);
        var calm = ClusterStatus.Summarise(nodes.Take(3).ToList(), pool, new NodeFilterOptions());
        Assert.True(calm.Ready);
        Assert.Equal(["r1", "r2"], calm.UsableNodes.Select(n => n.ID));
        Assert.True(ClusterStatus.Summarise([], pool, new NodeFilterOptions()).Ready);
    }

    [Fact]
    public async Task Pool_status_is_not_ready_when_nomad_fails()
    {
        using var client = TestClients.Create(new StubNomad().On("GET", "/v1/nodes", Error(403, "Permission denied")));
        var status = await ClusterStatus.GetPoolStatusAsync(client, new NodePoolIdentifier { NodePool = "p" }, new NodeFilterOptions());
        Assert.False(status.Ready);
        Assert.Contains("Permission denied", status.NotReadyReason);
    }
}
