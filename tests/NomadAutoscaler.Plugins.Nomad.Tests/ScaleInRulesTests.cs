using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

/// <summary>The scale-in safety rules on their own: the fit check (scale-down simulation), do-not-disrupt and the
/// disruption budget.</summary>
public sealed class ScaleInRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static Node Node(string id, long cpu = 1000, long memory = 1000, string dc = "dc1", string pool = "default", string nodeClass = "",
        string eligibility = "eligible", Dictionary<string, string>? meta = null) => new()
    {
        ID = id,
        Name = "name-" + id,
        Datacenter = dc,
        NodePool = pool,
        NodeClass = nodeClass,
        Status = "ready",
        SchedulingEligibility = eligibility,
        Meta = meta,
        NodeResources = new NodeResources { Cpu = new NodeCpuResources { CpuShares = cpu }, Memory = new NodeMemoryResources { MemoryMB = memory } },
    };

    private static Allocation Alloc(string job, int cpu = 100, int memory = 100, string type = "service", string group = "g",
        IReadOnlyList<Constraint>? jobConstraints = null, IReadOnlyList<Constraint>? groupConstraints = null, IReadOnlyList<string>? datacenters = null,
        string pool = "default", Dictionary<string, string>? meta = null, string clientStatus = "running", DateTimeOffset? created = null) => new()
    {
        ID = Guid.NewGuid().ToString(),
        Namespace = "default",
        JobID = job,
        TaskGroup = group,
        ClientStatus = clientStatus,
        DesiredStatus = "run",
        CreateTime = ((created ?? Now.AddHours(-1)) - DateTimeOffset.UnixEpoch).Ticks * 100,
        Resources = new Resources { CPU = cpu, MemoryMB = memory },
        Job = new Job
        {
            ID = job,
            Type = type,
            NodePool = pool,
            Datacenters = datacenters ?? ["dc1"],
            Meta = meta,
            Constraints = jobConstraints,
            TaskGroups = [new TaskGroup { Name = group, Constraints = groupConstraints }],
        },
    };

    private static FitNode F(Node node, params Allocation[] allocations) => new(node, allocations);

    private static IReadOnlyList<string> Accepted(IReadOnlyList<FitNode> candidates, IReadOnlyList<FitNode> cluster, int count)
        => ScaleInFitCheck.Plan(candidates, cluster, count).Accepted;

    [Fact]
    public void A_node_whose_work_fits_on_the_others_may_go_and_one_whose_work_does_not_stays()
    {
        var small = F(Node("small"), Alloc("web", cpu: 300));
        var big = F(Node("big"), Alloc("batch-7", cpu: 900));
        var spare = F(Node("spare"), Alloc("db", cpu: 500));

        var (accepted, rejections) = ScaleInFitCheck.Plan([big, small], [small, big, spare], 2);

        Assert.Equal(["small"], accepted);
        Assert.Equal(["allocations of job batch-7 on node big fit nowhere else"], rejections);
    }

    [Fact]
    public void Memory_counts_as_much_as_cpu()
    {
        var candidate = F(Node("c"), Alloc("cache", cpu: 10, memory: 800));
        var other = F(Node("o", memory: 1000), Alloc("x", cpu: 10, memory: 300));
        Assert.Empty(Accepted([candidate], [candidate, other], 1));
        var roomier = F(Node("o", memory: 1200), Alloc("x", cpu: 10, memory: 300));
        Assert.Equal(["c"], Accepted([candidate], [candidate, roomier], 1));
    }

    [Fact]
    public void Work_moved_off_an_earlier_candidate_uses_up_room_for_the_later_ones()
    {
        // Each candidate's work fits on "spare" alone, but not both at once.
        var a = F(Node("a"), Alloc("j1", cpu: 600));
        var b = F(Node("b"), Alloc("j2", cpu: 600));
        var spare = F(Node("spare"));
        Assert.Equal(["a"], Accepted([a, b], [a, b, spare], 2));
    }

    [Fact]
    public void Work_simulated_onto_a_later_candidate_must_move_again_when_that_one_goes()
    {
        // a's work can only go to b; removing b as well would strand it, so only a goes.
        var a = F(Node("a"), Alloc("j1", cpu: 500));
        var b = F(Node("b", cpu: 600));
        Assert.Equal(["a"], Accepted([a, b], [a, b], 2));
    }

    [Fact]
    public void Ineligible_and_draining_nodes_are_no_home()
    {
        var candidate = F(Node("c"), Alloc("web"));
        Assert.Empty(Accepted([candidate], [candidate, F(Node("off", eligibility: "ineligible"))], 1));
        Assert.Empty(Accepted([candidate], [candidate, F(Node("d") with { Drain = true })], 1));
    }

    [Fact]
    public void System_and_terminal_allocations_need_no_new_home()
    {
        var candidate = F(Node("c"), Alloc("agent", cpu: 900, type: "system"), Alloc("old", cpu: 900, clientStatus: "complete"),
            Alloc("once", cpu: 900, type: "sysbatch"));
        Assert.Equal(["c"], Accepted([candidate], [candidate], 1));
    }

    [Fact]
    public void Datacenter_node_pool_and_node_class_constraints_are_honoured()
    {
        var candidate = F(Node("c"), Alloc("web", datacenters: ["dc1"], pool: "gpu",
            jobConstraints: [new Constraint { LTarget = "${node.class}", RTarget = "big", Operand = "=" }]));
        Assert.Empty(Accepted([candidate], [candidate, F(Node("wrong-dc", dc: "dc2", pool: "gpu", nodeClass: "big"))], 1));
        Assert.Empty(Accepted([candidate], [candidate, F(Node("wrong-pool", pool: "default", nodeClass: "big"))], 1));
        Assert.Empty(Accepted([candidate], [candidate, F(Node("wrong-class", pool: "gpu", nodeClass: "small"))], 1));
        Assert.Equal(["c"], Accepted([candidate], [candidate, F(Node("right", pool: "gpu", nodeClass: "big"))], 1));
    }

    [Fact]
    public void Datacenter_globs_the_all_pool_and_meta_regexp_and_set_constraints_follow_the_simulator()
    {
        var home = F(Node("h", dc: "eu-west-1", pool: "anything", meta: new() { ["zone"] = "eu-a", ["tags"] = "ssd,fast" }));
        Allocation With(params Constraint[] constraints) => Alloc("j", datacenters: ["eu-*"], pool: "all", groupConstraints: constraints);
        bool Fits(Allocation allocation)
        {
            var candidate = F(Node("c"), allocation);
            return Accepted([candidate], [candidate, home], 1).Count == 1;
        }

        Assert.True(Fits(With(new Constraint { LTarget = "${meta.zone}", RTarget = "^eu-", Operand = "regexp" })));
        Assert.False(Fits(With(new Constraint { LTarget = "${meta.zone}", RTarget = "^us-", Operand = "regexp" })));
        Assert.True(Fits(With(new Constraint { LTarget = "${meta.tags}", RTarget = "ssd", Operand = "set_contains" })));
        Assert.False(Fits(With(new Constraint { LTarget = "${meta.tags}", RTarget = "ssd,gpu", Operand = "set_contains_all" })));
        Assert.True(Fits(With(new Constraint { LTarget = "${meta.tags}", RTarget = "gpu,fast", Operand = "set_contains_any" })));
        Assert.False(Fits(With(new Constraint { LTarget = "${meta.gpu}", Operand = "is_set" })));
        Assert.True(Fits(With(new Constraint { LTarget = "${node.unique.name}", RTarget = "name-c", Operand = "!=" })));
    }

    [Fact]
    public void Distinct_hosts_keeps_a_job_or_group_off_a_node_that_already_runs_it()
    {
        var distinctJob = new Constraint { Operand = "distinct_hosts", RTarget = "true" };
        var candidate = F(Node("c"), Alloc("db", jobConstraints: [distinctJob]));
        var busy = F(Node("busy"), Alloc("db", group: "other"));
        Assert.Empty(Accepted([candidate], [candidate, busy], 1));
        Assert.Equal(["c"], Accepted([candidate], [candidate, busy, F(Node("free"))], 1));

        // At group level only the same group counts.
        var groupLevel = F(Node("c"), Alloc("db", groupConstraints: [new Constraint { Operand = "distinct_hosts" }]));
        Assert.Equal(["c"], Accepted([groupLevel], [groupLevel, busy], 1));
        Assert.Empty(Accepted([groupLevel], [groupLevel, F(Node("same"), Alloc("db"))], 1));

        // Two allocations of one job moving at once may not share a node either.
        var two = F(Node("c"), Alloc("db", jobConstraints: [distinctJob]), Alloc("db", jobConstraints: [distinctJob]));
        Assert.Empty(Accepted([two], [two, F(Node("one-home", cpu: 5000))], 1));
        Assert.Equal(["c"], Accepted([two], [two, F(Node("h1")), F(Node("h2"))], 1));
    }

    [Fact]
    public void Node_meta_do_not_disrupt_protects_the_node()
    {
        Assert.Equal("node n has node meta nomad_autoscaler.do_not_disrupt=true",
            DoNotDisrupt.Reason(Node("n", meta: new() { [ClusterConfigKeys.DoNotDisrupt] = "true" }), [], Now));
        Assert.Null(DoNotDisrupt.Reason(Node("n", meta: new() { [ClusterConfigKeys.DoNotDisrupt] = "false" }), [], Now));
        Assert.Contains("treated as true", DoNotDisrupt.Reason(Node("n", meta: new() { [ClusterConfigKeys.DoNotDisrupt] = "yes please" }), [], Now),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Job_meta_do_not_disrupt_protects_while_true_or_for_its_duration_from_the_allocation_start()
    {
        var node = Node("n");
        Dictionary<string, string> Meta(string value) => new() { [ClusterConfigKeys.DoNotDisrupt] = value };
        Assert.Equal("job db on node n has nomad_autoscaler.do_not_disrupt=true", DoNotDisrupt.Reason(node, [Alloc("db", meta: Meta("true"))], Now));
        Assert.Null(DoNotDisrupt.Reason(node, [Alloc("db", meta: Meta("false"))], Now));
        // Started an hour ago: "2h" still protects, "30m" no longer does.
        Assert.Equal("job db on node n has nomad_autoscaler.do_not_disrupt=2h until 2026-12-04T13:00:00Z",
            DoNotDisrupt.Reason(node, [Alloc("db", meta: Meta("2h"))], Now));
        Assert.Null(DoNotDisrupt.Reason(node, [Alloc("db", meta: Meta("30m"))], Now));
        Assert.Contains("treated as true", DoNotDisrupt.Reason(node, [Alloc("db", meta: Meta("forever"))], Now), StringComparison.Ordinal);
        // A finished allocation protects nothing.
        Assert.Null(DoNotDisrupt.Reason(node, [Alloc("db", meta: Meta("true"), clientStatus: "complete")], Now));
    }

    [Fact]
    public void Disruption_budget_is_a_count_or_a_rounded_up_percentage_of_the_pool()
    {
        Assert.Equal(2, DisruptionBudget.Parse("2").Limit(10));
        Assert.Equal(3, DisruptionBudget.Parse("25%").Limit(10));
        Assert.Equal(1, DisruptionBudget.Parse("10%").Limit(3));
        Assert.Equal(0, DisruptionBudget.Parse("0%").Limit(50));
        Assert.Equal("25%", DisruptionBudget.Parse(" 25% ").ToString());
        foreach (var bad in new[] { "-1", "150%", "two", "1.5" })
        {
            var ex = Assert.Throws<PluginConfigException>(() => DisruptionBudget.Parse(bad));
            Assert.Equal(ClusterConfigKeys.MaxDraining, Assert.Single(ex.Violations).Key);
        }
    }

    [Fact]
    public void Max_draining_is_read_from_the_target_config_and_bad_values_name_the_key()
    {
        var config = new Dictionary<string, string> { ["node_class"] = "wrk" };
        Assert.Null(ClusterScaleInOptions.FromConfig(config).MaxDraining);
        config["max_draining"] = "50%";
        Assert.Equal(50, ClusterScaleInOptions.FromConfig(config).MaxDraining!.Percent);
        config["max_draining"] = "lots";
        var ex = Assert.Throws<PluginConfigException>(() => ClusterScaleInOptions.FromConfig(config));
        Assert.Contains(ex.Violations, v => v.Key == "max_draining");
    }
}
