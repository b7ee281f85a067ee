using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.NomadApm;
using NomadAutoscaler.Plugins.Sdk;
using static NomadAutoscaler.Plugins.Nomad.Tests.StubNomad;
using static NomadAutoscaler.Plugins.Nomad.Tests.TestClients;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class NomadApmTests
{
    private static readonly DateTimeOffset Now = new(2026, 8, 21, 12, 0, 0, TimeSpan.Zero);

    private static async Task<NomadApmPlugin> PluginAsync(StubNomad stub, NomadApmOptions? options = null)
    {
        var time = new FakeTimeProvider(Now);
        var plugin = new NomadApmPlugin(null, time, o => new NomadClient(o, stub, time));
        await plugin.ConfigureAsync(options ?? new NomadApmOptions { NomadAddress = "http://nomad.test:4646" }, CancellationToken.None);
        return plugin;
    }

    private static ApmQuery Query(string q) => new(q, Now.AddMinutes(-1), Now);

    [Theory]
    [InlineData("cpu_avg/web/shop", "unsupported query type \"cpu\"")]
    [InlineData("taskgroup_avg_cpu/web", "failed to parse query: expected <query>/<group>/<job>@<namespace>, received taskgroup_avg_cpu/web")]
    [InlineData("taskgroup_avg_cpu/web/shop", "failed to parse query: missing namespace from query taskgroup_avg_cpu/web/shop")]
    [InlineData("taskgroup_avg_cpu/web/@default", "failed to parse query: missing job from query taskgroup_avg_cpu/web/@default")]
    [InlineData("taskgroup_avg/web/shop@default", "failed to parse query: expected taskgroup_<operation>_<metric>, received \"taskgroup_avg\"")]
    [InlineData("taskgroup_median_disk/web/shop@default", "failed to parse query: invalid metric \"disk\", allowed values are: cpu, cpu-allocated, memory, memory-allocated")]
    [InlineData("taskgroup_median_cpu/web/shop@default", "failed to parse query: invalid operation \"median\", allowed values are sum, avg, min or max")]
    [InlineData("node_percentage-allocated_cpu", "failed to parse query: expected <query>/<key>=<value>[,<key>=<value>...], received \"node_percentage-allocated_cpu\"")]
    [InlineData("node_percentage-allocated_cpu/wrk", "failed to parse query: invalid pool identifier \"wrk\": expected key=value")]
    [InlineData("node_percentage-allocated_cpu/rack=1", "failed to parse query: unknown pool key \"rack\": must be node_class, datacenter, or node_pool")]
    [InlineData("node_percentage-allocated_cpu/node_cpu=4000", "failed to parse query: unknown pool key \"node_cpu\": must be node_class, datacenter, or node_pool")]
    [InlineData("node_percentage-allocated/node_class=x", "failed to parse query: expected node_<operation>_<metric>, received node_percentage-allocated")]
    [InlineData("node_avg_cpu/node_class=x", "failed to parse query: invalid operation \"avg\", allowed value is percentage-allocated (or the demand operations required-nodes, desired-nodes, pending-allocations)")]
    [InlineData("node_percentage-allocated_disk/node_class=x", "failed to parse query: invalid metric \"disk\", allowed values are cpu or memory")]
    [InlineData("node_required-nodes_cpu/node_class=x,node_cpu=lots", "failed to parse query: invalid node_cpu \"lots\": expected a positive whole number")]
    public void Parse_errors_match_upstream_texts(string query, string message)
        => Assert.Equal(message, Assert.Throws<NomadApmException>(() => ApmQueryParser.Parse(query)).Message);

    [Fact]
    public void Parse_accepts_key_value_legacy_and_demand_forms()
    {
        var tg = Assert.IsType<TaskGroupQuery>(ApmQueryParser.Parse("taskgroup_avg_cpu-allocated/web/shop@ns@x"));
        Assert.Equal(("avg", "cpu-allocated", "web", "shop@ns", "x"), (tg.Operation, tg.Metric, tg.Group, tg.Job, tg.Namespace));
        var pool = Assert.IsType<NodePoolQuery>(ApmQueryParser.Parse("node_percentage-allocated_memory/node_class=w%20k,datacenter=dc1,node_pool=p"));
        Assert.Equal(new NodePoolIdentifier { NodeClass = "w k", Datacenter = "dc1", NodePool = "p" }, pool.Pool);
        var legacy = Assert.IsType<NodePoolQuery>(ApmQueryParser.Parse("node_percentage-allocated_cpu/wrk/class"));
        Assert.Equal("wrk", legacy.Pool.NodeClass);
        var demand = Assert.IsType<NodePoolQuery>(ApmQueryParser.Parse("node_required-nodes_resources/node_pool=gpu,node_cpu=4000,node_memory=8192"));
        Assert.Equal((4000L, 8192L), (demand.NodeCpu!.Value, demand.NodeMemory!.Value));
    }

    [Fact]
    public async Task Instant_queries_are_refused()
    {
        using var plugin = await PluginAsync(new StubNomad());
        var ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(new ApmQuery("taskgroup_avg_cpu/g/j@default", Now, Now), CancellationToken.None));
        Assert.Equal("query_window = \"instant\" is not supported by nomad-apm", ex.Message);
    }

    private static string Stats(double percent, double ticks, ulong usage)
        => $$$"""{"ResourceUsage":{"CpuStats":{"Percent":{{{percent}}},"TotalTicks":{{{ticks}}}},"MemoryStats":{"Usage":{{{usage}}},"RSS":1}},"Tasks":{},"Timestamp":1495743243970720000}""";

    private static string JobAllocs()
        => """
           [{"ID":"a1","TaskGroup":"cache","ClientStatus":"running","DesiredStatus":"run","CreateIndex":3},
            {"ID":"a2","TaskGroup":"cache","ClientStatus":"running","DesiredStatus":"run","CreateIndex":2},
            {"ID":"a3","TaskGroup":"cache","ClientStatus":"pending","DesiredStatus":"run","CreateIndex":1},
            {"ID":"a4","TaskGroup":"other","ClientStatus":"running","DesiredStatus":"run","CreateIndex":4}]
           """;

    private static StubNomad TaskGroupStub()
        => new StubNomad()
            .On("GET", "/v1/job/shop/allocations", Json(JobAllocs()))
            .On("GET", "/v1/job/shop", Json("""{"ID":"shop","TaskGroups":[{"Name":"cache","Tasks":[{"Name":"a","Resources":{"CPU":300,"MemoryMB":256}},{"Name":"b","Resources":{"CPU":200,"MemoryMB":256}},{"Name":"c","Resources":{}}]}]}"""))
            .On("GET", "/v1/client/allocation/a1/stats", Json(Stats(10, 250, 300UL * 1024 * 1024 + 5)))
            .On("GET", "/v1/client/allocation/a2/stats", Json(Stats(30, 50, 100UL * 1024 * 1024)));

    [Theory]
    [InlineData("taskgroup_avg_cpu/cache/shop@prod", 20.0)]
    [InlineData("taskgroup_sum_cpu/cache/shop@prod", 40.0)]
    [InlineData("taskgroup_max_cpu/cache/shop@prod", 30.0)]
    [InlineData("taskgroup_min_cpu/cache/shop@prod", 10.0)]
    [InlineData("taskgroup_avg_memory/cache/shop@prod", 209715202.5)]
    [InlineData("taskgroup_avg_cpu-allocated/cache/shop@prod", 30.0)] // (250/500*100 + 50/500*100) / 2
    [InlineData("taskgroup_max_memory-allocated/cache/shop@prod", 58.59375)] // floor(300 MiB + 5 B) / 512 MiB
    public async Task Task_group_math(string query, double expected)
    {
        var stub = TaskGroupStub();
        using var plugin = await PluginAsync(stub);
        var point = Assert.Single(await plugin.QueryAsync(Query(query), CancellationToken.None));
        Assert.Equal(expected, point.Value, 9);
        Assert.Equal(Now, point.Timestamp);
        Assert.Equal("namespace=prod&all=false", stub.Requests[0].Query);
        Assert.DoesNotContain(stub.Requests, r => r.Path.Contains("a3", StringComparison.Ordinal) || r.Path.Contains("a4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Task_group_query_uses_fixture_stats()
    {
        var stub = new StubNomad()
            .On("GET", "/v1/job/example/allocations", Fixture("GET_v1_job_JOBID_allocations.json"))
            .On("GET", "/v1/client/allocation/ed344e0a-7290-d117-41d3-a64f853ca3c2/stats", Fixture("GET_v1_client_allocation_ALLOCID_stats.json", null));
        using var plugin = await PluginAsync(stub);
        var point = Assert.Single(await plugin.QueryAsync(Query("taskgroup_avg_cpu/cache/example@default"), CancellationToken.None));
        Assert.Equal(0.14159538847117795, point.Value);
    }

    [Fact]
    public void Max_of_all_zero_values_is_the_smallest_positive_double_like_upstream()
        => Assert.Equal(double.Epsilon, TaskGroupMetrics.Aggregate("max", [0, 0]));

    [Fact]
    public async Task Task_group_errors()
    {
        var stub = TaskGroupStub().On("GET", "/v1/client/allocation/a2/stats", Error(404, "Unknown allocation \"a2\""));
        using var plugin = await PluginAsync(stub);
        var ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(Query("taskgroup_avg_cpu/cache/shop@prod"), CancellationToken.None));
        Assert.Equal("failed to get alloc stats: Unexpected response code: 404 (Unknown allocation \"a2\")", ex.Message);
        ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(Query("taskgroup_avg_cpu/none/shop@prod"), CancellationToken.None));
        Assert.Equal("metric not found: taskgroup_avg_cpu/none/shop@prod", ex.Message);
        ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(Query("taskgroup_avg_memory-allocated/none/shop@prod"), CancellationToken.None));
        Assert.Equal("failed to get total allocated memory for taskgroup: task group \"none\" not found in job \"shop\"", ex.Message);
    }

    private static StubNomad PoolStub(params string[] extraNodes)
        => new StubNomad()
            .On("GET", "/v1/nodes", Json(Nodes([NodeStub("n1", 1, "wrk"), NodeStub("n2", 2, "wrk"), NodeStub("i", 3, "wrk", eligibility: "ineligible"), NodeStub("x", 4, "other"), .. extraNodes])))
            .On("GET", "/v1/node/n1", Json(FullNode("n1", cpu: 2100, memory: 1200)))
            .On("GET", "/v1/node/n2", Json(FullNode("n2", cpu: 2100, memory: 1200)))
            .On("GET", "/v1/node/n1/allocations", Json("[" + Alloc("a", "running", cpu: 500, memory: 400) + "," + Alloc("b", "pending", cpu: 100, memory: 100) + "," + Alloc("c", "complete", cpu: 999, memory: 999) + "]"))
            .On("GET", "/v1/node/n2/allocations", Json("[" + Alloc("d", "running", "stop", cpu: 999, memory: 999) + "," + Alloc("e", "running", cpu: 200, memory: 300) + "]"));

    [Theory]
    [InlineData("node_percentage-allocated_cpu/node_class=wrk", 20.0)] // (500+100+200) / (2*(2100-100))
    [InlineData("node_percentage-allocated_memory/node_class=wrk", 40.0)] // (400+100+300) / (2*(1200-200))
    [InlineData("node_percentage-allocated_cpu/wrk/class", 20.0)]
    public async Task Node_pool_percentage_allocated(string query, double expected)
    {
        using var plugin = await PluginAsync(PoolStub());
        Assert.Equal(expected, Assert.Single(await plugin.QueryAsync(Query(query), CancellationToken.None)).Value, 9);
    }

    [Fact]
    public async Task Node_pool_errors()
    {
        using var plugin = await PluginAsync(PoolStub(NodeStub("d", 9, "wrk", drain: true)));
        var ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(Query("node_percentage-allocated_cpu/node_class=wrk"), CancellationToken.None));
        Assert.Equal("failed to identify nodes within pool: node d is draining", ex.Message);
        ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(Query("node_percentage-allocated_cpu/node_class=none"), CancellationToken.None));
        Assert.Equal("no nodes identified within pool", ex.Message);
    }

    [Fact]
    public async Task Ignore_ineligible_option_counts_ineligible_nodes()
    {
        var stub = PoolStub()
            .On("GET", "/v1/node/i", Json(FullNode("i", cpu: 2100, memory: 1200)))
            .On("GET", "/v1/node/i/allocations", Json("[]"));
        using var plugin = await PluginAsync(stub, new NomadApmOptions { NomadAddress = "http://n:1", NodeFilterIgnoreIneligible = true });
        Assert.Equal(800.0 * 100 / 6000, Assert.Single(await plugin.QueryAsync(Query("node_percentage-allocated_cpu/node_class=wrk"), CancellationToken.None)).Value, 9);
    }

    private const string QueuedJobs = """
        [{"ID":"web","Namespace":"default","Type":"service","Stop":false,"JobSummary":{"Summary":{"g":{"Queued":3},"idle":{"Queued":0}}}},
         {"ID":"gpu","Namespace":"ml","Type":"batch","Stop":false,"JobSummary":{"Summary":{"train":{"Queued":2}}}},
         {"ID":"sys","Namespace":"default","Type":"system","Stop":false,"JobSummary":{"Summary":{"s":{"Queued":5}}}},
         {"ID":"huge","Namespace":"default","Type":"service","Stop":false,"JobSummary":{"Summary":{"h":{"Queued":1}}}}]
        """;

    private static StubNomad DemandStub(string nodes)
        => new StubNomad()
            .On("GET", "/v1/nodes", Json(nodes))
            .On("GET", "/v1/jobs", Json(QueuedJobs))
            .On("GET", "/v1/job/web", Json("""{"ID":"web","Namespace":"default","Datacenters":["dc*"],"Constraints":[{"LTarget":"${node.class}","RTarget":"wrk","Operand":"="}],"TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Resources":{"CPU":600,"MemoryMB":512}}]}]}"""))
            .On("GET", "/v1/job/gpu", Json("""{"ID":"gpu","Namespace":"ml","NodePool":"gpu","TaskGroups":[{"Name":"train","Tasks":[{"Name":"t","Resources":{"CPU":100,"MemoryMB":100}}]}]}"""))
            .On("GET", "/v1/job/huge", Json("""{"ID":"huge","Namespace":"default","TaskGroups":[{"Name":"h","Tasks":[{"Name":"t","Resources":{"CPU":100000,"MemoryMB":100}}]}]}"""))
            .On("GET", "/v1/node/n1", Json(FullNode("n1", cpu: 2100, memory: 1200)));

    [Theory]
    [InlineData("node_pending-allocations_count/node_class=wrk", 4.0)] // web x3 + huge x1 (no class constraint); gpu is in another node pool
    [InlineData("node_required-nodes_cpu/node_class=wrk,node_cpu=1300,node_memory=4096", 2.0)] // 3x600 MHz, two per node; huge never fits
    [InlineData("node_required-nodes_memory/node_class=wrk,node_cpu=1300,node_memory=4096", 1.0)]
    [InlineData("node_required-nodes_resources/node_class=wrk,node_cpu=1300,node_memory=1024", 2.0)]
    [InlineData("node_required-nodes_cpu/node_pool=gpu,node_cpu=150,node_memory=1000", 2.0)]
    [InlineData("node_required-nodes_cpu/node_class=other,node_cpu=100000,node_memory=1000", 1.0)] // only "huge" can go there
    public async Task Demand_queries_scale_an_empty_pool_from_zero(string query, double expected)
    {
        using var plugin = await PluginAsync(DemandStub("[]"));
        Assert.Equal(expected, Assert.Single(await plugin.QueryAsync(Query(query), CancellationToken.None)).Value);
    }

    [Fact]
    public async Task Demand_adds_just_enough_nodes_to_the_existing_pool_using_measured_capacity()
    {
        using var plugin = await PluginAsync(DemandStub(Nodes(NodeStub("n1", 1, "wrk"))));
        // n1 offers 2000 MHz after reservations: 3 x 600 fit one new node, on top of the one that exists.
        Assert.Equal(2.0, Assert.Single(await plugin.QueryAsync(Query("node_required-nodes_cpu/node_class=wrk"), CancellationToken.None)).Value);
    }

    [Fact]
    public async Task With_node_units_a_node_counts_as_the_nodes_of_the_query_size_it_holds()
    {
        using var plugin = await PluginAsync(DemandStub(Nodes(NodeStub("n1", 1, "wrk"))));
        // n1 offers 2000 MHz, two 1000-MHz units; the queue (3 x 600) needs three more.
        Assert.Equal(5.0, Assert.Single(await plugin.QueryAsync(Query("node_required-nodes_cpu/node_class=wrk,node_cpu=1000,node_memory=500,node_units=true"), CancellationToken.None)).Value);
        Assert.Equal(4.0, Assert.Single(await plugin.QueryAsync(Query("node_required-nodes_cpu/node_class=wrk,node_cpu=1000,node_memory=500"), CancellationToken.None)).Value);
        var bad = Assert.Throws<NomadApmException>(() => ApmQueryParser.Parse("node_required-nodes_cpu/node_class=wrk,node_units=yes"));
        Assert.Equal("failed to parse query: invalid node_units \"yes\": must be true or false", bad.Message);
        // A count of queued allocations has no node size to count in: the key is refused, not ignored.
        var pending = Assert.Throws<NomadApmException>(() => ApmQueryParser.Parse("node_pending-allocations_count/node_class=wrk,node_units=true"));
        Assert.Contains("unknown pool key \"node_units\"", pending.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2000, 2000, 1)]
    [InlineData(3950, 3900, 2)]  // a node twice the size less Nomad's reservation is still two
    [InlineData(2900, 8000, 1)]  // the scarcer resource decides
    [InlineData(500, 500, 1)]    // a smaller node is still one
    [InlineData(8000, 8000, 4)]
    public void Node_units_round_to_whole_sizes(long cpu, long memory, long expected)
        => Assert.Equal(expected, PoolDemand.UnitsOf(cpu, memory, 2000, 2000));

    [Fact]
    public async Task Demand_on_an_empty_pool_needs_a_node_size()
    {
        using var plugin = await PluginAsync(DemandStub("[]"));
        var ex = await Assert.ThrowsAsync<NomadApmException>(async () => await plugin.QueryAsync(Query("node_required-nodes_cpu/node_class=wrk"), CancellationToken.None));
        Assert.Contains("node_cpu and node_memory", ex.Message);
        using var configured = await PluginAsync(DemandStub("[]"), new NomadApmOptions { NomadAddress = "http://n:1", NodeCpu = 1300, NodeMemory = 4096 });
        Assert.Equal(2.0, Assert.Single(await configured.QueryAsync(Query("node_required-nodes_cpu/node_class=wrk"), CancellationToken.None)).Value);
    }

    [Theory]
    [InlineData("${node.class}", "wrk", "=", true)]
    [InlineData("${node.class}", "gpu", "==", false)]
    [InlineData("${node.class}", "gpu", "!=", true)]
    [InlineData("${node.class}", "^w.*$", "regexp", true)]
    [InlineData("${attr.cpu.arch}", "arm64", "=", true)]
    [InlineData("${node.datacenter}", "dc2", "=", false)]
    public void Constraint_checks_against_the_pool_shape(string left, string right, string op, bool expected)
        => Assert.Equal(expected, PoolDemand.ConstraintHolds(new Constraint { LTarget = left, RTarget = right, Operand = op }, new PoolDemand.PoolShape("wrk", "dc1", "default")));

    [Fact]
    public void Bin_packing_is_first_fit_decreasing()
    {
        PoolDemand.Item I(long c, long m) => new(c, m);
        Assert.Equal(2, PoolDemand.BinsNeeded([I(700, 0), I(600, 0), I(400, 0), I(300, 0)], 1000, long.MaxValue));
        Assert.Equal(3, PoolDemand.BinsNeeded([I(100, 600), I(100, 600), I(100, 600)], 1000, 1000));
        Assert.Equal(0, PoolDemand.BinsNeeded([], 1000, 1000));
    }
}
