using System.Net;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>
/// For every fixture (a real Nomad body), the simulator answers the same request with a body that has every
/// fixture field, recursively, with the same JSON kind (rules in <see cref="JsonShape"/>). Request fixtures
/// are sent as they are and must be accepted.
/// </summary>
public sealed class FixtureFidelityTests
{
    private static readonly string[] s_nodeMaps = ["Attributes", "Meta", "Drivers", "HostVolumes", "Links", "Drivers.*.Attributes"];

    private static JsonNode Fixture(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!;

    private static string FixtureText(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private static void AssertShape(string fixtureName, JsonNode actual, string[]? freeMaps = null, string[]? ignored = null)
    {
        var errors = JsonShape.Compare(Fixture(fixtureName), actual, freeMaps ?? [], ignored ?? []);
        Assert.True(errors.Count == 0, $"{fixtureName}:\n  " + string.Join("\n  ", errors));
    }

    [Fact]
    public void JsonShape_ReportsMissingFieldsAndKindMismatches()
    {
        var fixture = JsonNode.Parse("""{"A":1,"B":"x","C":{"D":true},"E":null,"F":[{"G":1}]}""");
        var actual = JsonNode.Parse("""{"A":"1","C":{},"F":[{"G":"no"}]}""");
        var errors = JsonShape.Compare(fixture, actual, [], []);
        Assert.Contains("A: expected number, got string", errors);
        Assert.Contains("B: missing", errors);
        Assert.Contains("C.D: missing", errors);
        Assert.Contains("F[].G: expected number, got string", errors);
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public async Task GetNodesWithOs_HasEveryFixtureField()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode(name: "nomad-4");
        var reply = await h.GetAsync("/v1/nodes?os=true");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AssertShape("GET_v1_nodes.os.json", reply.Json, ["[].Drivers", "[].Drivers.*.Attributes"]);
    }

    [Fact]
    public async Task GetNode_AfterADrain_HasEveryFixtureField()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.Simulator.AddNode(new SimulatorNodeSpec
        {
            Name = "mew",
            Meta = new Dictionary<string, string> { ["connect.log_level"] = "info" },
            HostVolumes = new Dictionary<string, string> { ["certificates"] = "/etc/ssl/certs" },
        });
        var drain = await h.PutAsync($"/v1/node/{nodeId}/drain", """{"DrainSpec":{"Deadline":0},"Meta":{"message":"node maintenance"}}""");
        Assert.Equal(HttpStatusCode.OK, drain.Status);
        var reply = await h.GetAsync($"/v1/node/{nodeId}");
        Assert.Null(reply.Json["DrainStrategy"]);
        AssertShape("GET_v1_node_NODEID.json", reply.Json, s_nodeMaps,
        [
            // Legacy objects current servers no longer send: Nomad 1.x nodes carry NodeResources/ReservedResources instead.
            "Resources", "Reserved",
            // Device plugins are not simulated.
            "NodeResources.Devices",
            // Current servers omit the empty Mode key of a network entry (struct-level omitempty).
            "NodeResources.Networks[].Mode",
        ]);
    }

    private static async Task<(SimulatorHarness H, string NodeId)> Cluster1Async()
    {
        var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode(nodeClass: "batch", cpu: 2500, memoryMB: 1983, name: "ip-172-31-0-123");
        var meta = new JsonObject { ["sleep"] = "30" };
        h.Simulator.RegisterJob(JobJson.Service("batch_pause_1", "batch_pause", "batch_pause", type: "batch", cpu: 100, memoryMB: 256, nodeClass: "batch", meta: meta));
        h.Simulator.CompleteAllocations("batch_pause_1");
        h.Simulator.RegisterJob(JobJson.Service("batch_pause_2", "batch_pause", "batch_pause", type: "batch", cpu: 100, memoryMB: 256, nodeClass: "batch",
            extraConstraints: [new JsonObject { ["LTarget"] = "${node.unique.id}", ["RTarget"] = nodeId, ["Operand"] = "=" }]));
        h.Simulator.RegisterJob(JobJson.Service("system_pause", "batch_pause", "batch_pause", type: "system", cpu: 100, memoryMB: 256, nodeClass: "batch"));
        return (h, nodeId);
    }

    private static readonly string[] s_allocMaps =
    [
        "[].TaskStates", "[].TaskResources", "[].AllocatedResources.Tasks", "[].AllocatedResources.TaskLifecycles",
        "[].Metrics.NodesAvailable", "[].Job.Meta", "[].TaskStates.*.Events[].Details",
    ];

    private static readonly string[] s_allocIgnored =
    [
        // Removed from current servers (the fixture is Nomad 1.0-era).
        "[].Job.VaultToken",
        // The fixture's complete allocations belong to dispatched children of a parameterized job; dispatch is not simulated.
        "[].Job.ParameterizedJob", "[].Job.Payload",
        // Driver configuration is free-form data of the job author.
        "[].Job.TaskGroups[].Tasks[].Config",
        // Placement filter/exhaustion breakdowns are only simulated as null.
        "[].Metrics.ClassFiltered", "[].Metrics.ConstraintFiltered", "[].Metrics.ClassExhausted", "[].Metrics.DimensionExhausted",
    ];

    [Theory]
    [InlineData("GET_v1_node_NODEID_allocations.cluster1-151be1dc.json")]
    [InlineData("GET_v1_node_NODEID_allocations.cluster1-b2d5bbb6.json")]
    [InlineData("GET_v1_node_NODEID_allocations.cluster1-b535e699.json")]
    public async Task GetNodeAllocations_HasEveryFixtureField(string fixture)
    {
        var (h, nodeId) = await Cluster1Async();
        await using (h)
        {
            var reply = await h.GetAsync($"/v1/node/{nodeId}/allocations");
            Assert.Equal(3, reply.Json.AsArray().Count);
            AssertShape(fixture, reply.Json, s_allocMaps, s_allocIgnored);
        }
    }

    [Theory]
    [InlineData("GET_v1_job_JOBID.full-scaling.json")]
    [InlineData("GET_v1_job_JOBID.minimum-valid-scaling.json")]
    public async Task GetJob_RegisteredFromTheFixture_HasEveryFixtureField(string fixture)
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        var job = Fixture(fixture);
        var register = await h.PutAsync("/v1/jobs", new JsonObject { ["Job"] = job.DeepClone() }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, register.Status);
        var reply = await h.GetAsync($"/v1/job/{Uri.EscapeDataString(job["ID"]!.GetValue<string>())}");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AssertShape(fixture, reply.Json, ["TaskGroups[].Tasks[].Config"],
        [
            // Client-only keys of api.Job that `nomad inspect` re-encodes but a server does not send (fixture README).
            "Migrate", "Reschedule", "TaskGroups[].Scaling.Namespace",
        ]);
        // The policy block travels as given: whole floats keep their ".0".
        Assert.Equal(
            job["TaskGroups"]![0]!["Scaling"]!["Policy"]!.ToJsonString(),
            reply.Json["TaskGroups"]![0]!["Scaling"]!["Policy"]!.ToJsonString());
    }

    private static async Task<SimulatorHarness> ExampleJobAsync(bool scaling = false)
    {
        var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("example", "cache", "redis", count: 1, min: scaling ? 0 : null, max: scaling ? 10 : null));
        return h;
    }

    [Fact]
    public async Task GetJobAllocations_HasEveryFixtureField()
    {
        await using var h = await ExampleJobAsync();
        var reply = await h.GetAsync("/v1/job/example/allocations");
        AssertShape("GET_v1_job_JOBID_allocations.json", reply.Json, ["[].TaskStates"],
        [
            // Not in the current AllocListStub.
            "[].PreviousAllocation",
            // Reschedules after failures are not simulated (no tracker); zero times are null on current servers.
            "[].RescheduleTracker", "[].TaskStates.*.FinishedAt",
        ]);
    }

    [Fact]
    public async Task GetJobScale_HasEveryFixtureField()
    {
        await using var h = await ExampleJobAsync();
        var reply = await h.GetAsync("/v1/job/example/scale");
        AssertShape("GET_v1_job_JOBID_scale.json", reply.Json);
    }

    [Fact]
    public async Task ScaleRequestFixture_IsAccepted_AndTheReplyHasEveryFixtureField()
    {
        await using var h = await ExampleJobAsync();
        var reply = await h.PutAsync("/v1/job/example/scale", FixtureText("PUT_v1_job_JOBID_scale.request.json"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AssertShape("PUT_v1_job_JOBID_scale.response.json", reply.Json);
        Assert.Equal(5, h.Simulator.GetDesiredCount("example", "cache"));
    }

    [Fact]
    public async Task GetScalingPolicies_HasEveryFixtureField()
    {
        await using var h = await ExampleJobAsync(scaling: true);
        var reply = await h.GetAsync("/v1/scaling/policies");
        // Task-level (vertical_*) policies are Enterprise-only.
        AssertShape("GET_v1_scaling_policies.json", reply.Json, null, ["[].Target.Task"]);
    }

    [Fact]
    public async Task GetScalingPolicy_HasEveryFixtureField()
    {
        await using var h = await SimulatorHarness.StartAsync();
        // The fixture's toy policy body: Nomad stores any map.
        var job = JsonNode.Parse(JobJson.Service("example", "cache", "redis", min: 0, max: 10))!;
        job["Job"]!["TaskGroups"]![0]!["Scaling"]!["Policy"] = JsonNode.Parse("""{"engage":true,"foo":"bar","howdy":"doody","value":6}""");
        h.Simulator.RegisterJob(job.ToJsonString());
        var id = (await h.GetAsync("/v1/scaling/policies")).Json[0]!["ID"]!.GetValue<string>();
        var reply = await h.GetAsync($"/v1/scaling/policy/{id}");
        AssertShape("GET_v1_scaling_policy_POLICYID.json", reply.Json);
        Assert.Null(reply.Json["Namespace"]);
        Assert.Equal("6.0", reply.Json["Policy"]!["value"]!.ToJsonString());
    }

    [Fact]
    public async Task GetAllocationStats_HasEveryFixtureField_PlusUsage()
    {
        await using var h = await ExampleJobAsync();
        var allocId = (await h.GetAsync("/v1/job/example/allocations")).Json[0]!["ID"]!.GetValue<string>();
        var reply = await h.GetAsync($"/v1/client/allocation/{allocId}/stats");
        AssertShape("GET_v1_client_allocation_ALLOCID_stats.json", reply.Json);
        Assert.NotNull(reply.Json["ResourceUsage"]!["MemoryStats"]!["Usage"]);
    }

    [Fact]
    public async Task GetMetrics_HasEveryFixtureField()
    {
        await using var h = await ExampleJobAsync();
        var reply = await h.GetAsync("/v1/metrics");
        AssertShape("GET_v1_metrics.json", reply.Json, null, ["Gauges[].Labels", "Counters[].Labels", "Samples[].Labels"]);
        // Labels are maps of data; the client gauges still carry node_id and datacenter.
        var gauge = reply.Json["Gauges"]!.AsArray().First(g => g!["Name"]!.GetValue<string>() == "nomad.client.allocated.cpu")!;
        Assert.NotNull(gauge["Labels"]!["node_id"]);
        Assert.NotNull(gauge["Labels"]!["datacenter"]);
    }

    [Fact]
    public async Task DrainRequestFixture_IsAccepted_AndTheReplyHasEveryFixtureField()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        var reply = await h.PutAsync($"/v1/node/{nodeId}/drain", FixtureText("PUT_v1_node_NODEID_drain.request.json"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AssertShape("PUT_v1_node_NODEID_drain.response.json", reply.Json);
    }

    [Fact]
    public async Task EligibilityRequestFixture_IsAccepted_AndTheReplyHasEveryFixtureField()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        var reply = await h.PutAsync($"/v1/node/{nodeId}/eligibility", FixtureText("PUT_v1_node_NODEID_eligibility.request.json"));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AssertShape("PUT_v1_node_NODEID_eligibility.response.json", reply.Json);
        Assert.Equal(0, reply.Json["NodeModifyIndex"]!.GetValue<long>());
    }

    [Fact]
    public async Task Purge_ReplyHasEveryFixtureField()
    {
        await using var h = await ExampleJobAsync();
        var nodeId = h.Simulator.GetNodes()[0].Id;
        var reply = await h.SendAsync(HttpMethod.Put, $"/v1/node/{nodeId}/purge");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AssertShape("PUT_v1_node_NODEID_purge.response.json", reply.Json);
    }

    [Fact]
    public async Task VariableAndLockFixtures_AreAccepted_AndRepliesHaveEveryFixtureField()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var upsert = await h.PutAsync("/v1/var/example/other?namespace=prod", """{"Namespace":"prod","Path":"example/other","Items":{"user":"me","password":"passw0rd1"}}""");
        AssertShape("PUT_v1_var_PATH.response.json", upsert.Json);

        var acquire = await h.PutAsync("/v1/var/example/first?lock-acquire", FixtureText("PUT_v1_var_PATH.lock-acquire.request.json"));
        Assert.Equal(HttpStatusCode.OK, acquire.Status);
        AssertShape("PUT_v1_var_PATH.lock-acquire.response.json", acquire.Json);
        Assert.Equal("1m0s", acquire.Json["Lock"]!["LockDelay"]!.GetValue<string>());
        var lockId = acquire.Json["Lock"]!["ID"]!.GetValue<string>();

        var conflict = await h.PutAsync("/v1/var/example/first?lock-acquire", FixtureText("PUT_v1_var_PATH.lock-acquire.request.json"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        AssertShape("PUT_v1_var_PATH.lock-conflict.409.json", conflict.Json);

        var renewBody = FixtureText("PUT_v1_var_PATH.lock-renew.request.json").Replace("670c7248-e2ef-f982-e4c5-f4437f75f1e4", lockId, StringComparison.Ordinal);
        var renew = await h.PutAsync("/v1/var/example/first?namespace=prod&lock-renew", renewBody);
        Assert.Equal(HttpStatusCode.OK, renew.Status);
        AssertShape("PUT_v1_var_PATH.lock-renew.response.json", renew.Json);

        var releaseBody = FixtureText("PUT_v1_var_PATH.lock-release.request.json").Replace("670c7248-e2ef-f982-e4c5-f4437f75f1e4", lockId, StringComparison.Ordinal);
        var release = await h.PutAsync("/v1/var/example/first?lock-release", releaseBody);
        Assert.Equal(HttpStatusCode.OK, release.Status);
        AssertShape("PUT_v1_var_PATH.lock-release.response.json", release.Json);
        Assert.Null(release.Json["Lock"]);
    }
}
