using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.NomadTarget;
using NomadAutoscaler.Plugins.Sdk;
using static NomadAutoscaler.Plugins.Nomad.Tests.StubNomad;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class NomadTargetTests
{
    private static async Task<NomadTargetPlugin> PluginAsync(StubNomad stub)
    {
        var time = new FakeTimeProvider();
        var plugin = new NomadTargetPlugin(null, o => new NomadClient(o, stub, time));
        await plugin.ConfigureAsync(new NomadTargetOptions { NomadAddress = "http://nomad.test:4646" }, CancellationToken.None);
        return plugin;
    }

    private static PluginSettings Target(string? ns = "prod", string group = "cache")
    {
        var map = new Dictionary<string, string> { ["Job"] = "example", ["Group"] = group };
        if (ns is not null) map["Namespace"] = ns;
        return new PluginSettings(map);
    }

    private const string ScaleStatus = """
        {"JobID":"example","Namespace":"prod","JobCreateIndex":10,"JobModifyIndex":18,"JobStopped":false,
         "TaskGroups":{"cache":{"Desired":5,"Placed":3,"Running":2,"Healthy":2,"Unhealthy":0,
           "Events":[{"Time":1751038605162034123,"Count":5,"PreviousCount":2,"Message":"up","Error":false,"Meta":{},"EvalID":"e","CreateIndex":17},
                     {"Time":1751038000000000000,"Count":2,"PreviousCount":1,"Message":"up","Error":false,"Meta":null,"EvalID":null,"CreateIndex":12}]}}}
        """;

    private static string Deployments(string status, ulong jobCreateIndex = 10)
        => $$$"""[{"ID":"d1","Namespace":"prod","JobID":"example","JobCreateIndex":{{{jobCreateIndex}}},"Status":"{{{status}}}"}]""";

    [Fact]
    public async Task Status_reports_desired_count_and_last_event_in_nanoseconds()
    {
        var stub = new StubNomad().On("GET", "/v1/job/example/scale", Json(ScaleStatus, 18)).On("GET", "/v1/deployments", Json(Deployments("successful")));
        using var plugin = await PluginAsync(stub);
        var status = await plugin.GetStatusAsync(Target(), CancellationToken.None);
        Assert.NotNull(status);
        Assert.True(status.Ready);
        Assert.Equal(5, status.Count);
        Assert.Equal("1751038605162034123", status.Meta[TargetStatusMeta.LastEvent]);
        Assert.Equal("false", status.Meta["nomad_autoscaler.target.nomad.example.stopped"]);
        Assert.Equal("namespace=prod", stub.Requests[0].Query);
    }

    [Theory]
    [InlineData("running", 10, false)]
    [InlineData("paused", 10, false)]
    [InlineData("running", 3, true)] // a deployment of an earlier instance of the job does not count
    [InlineData("failed", 10, true)]
    public async Task Status_is_not_ready_during_an_active_deployment(string deploymentStatus, ulong jobCreateIndex, bool ready)
    {
        var stub = new StubNomad().On("GET", "/v1/job/example/scale", Json(ScaleStatus)).On("GET", "/v1/deployments", Json(Deployments(deploymentStatus, jobCreateIndex)));
        using var plugin = await PluginAsync(stub);
        Assert.Equal(ready, (await plugin.GetStatusAsync(Target(), CancellationToken.None))!.Ready);
    }

    [Fact]
    public async Task Status_of_a_stopped_job_is_not_ready_and_has_no_event_meta_without_events()
    {
        var stub = new StubNomad().On("GET", "/v1/job/example/scale", Fixture("GET_v1_job_JOBID_scale.json")).On("GET", "/v1/deployments", Json("[]"));
        using var plugin = await PluginAsync(stub);
        var status = await plugin.GetStatusAsync(Target(ns: null), CancellationToken.None);
        Assert.Equal(1, status!.Count);
        Assert.False(status.Meta.ContainsKey(TargetStatusMeta.LastEvent));
        Assert.Equal("namespace=default", stub.Requests[0].Query);
    }

    [Fact]
    public async Task Status_of_missing_job_is_null_and_missing_group_is_an_error()
    {
        var stub = new StubNomad().On("GET", "/v1/job/example/scale", Error(404, "job not found", 99), Json(ScaleStatus)).On("GET", "/v1/deployments", Json("[]"));
        using var plugin = await PluginAsync(stub);
        Assert.Null(await plugin.GetStatusAsync(Target(), CancellationToken.None));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await plugin.GetStatusAsync(Target(group: "web"), CancellationToken.None));
        Assert.Equal("task group \"web\" not found", ex.Message);
        var missing = await Assert.ThrowsAsync<PluginConfigException>(async () => await plugin.GetStatusAsync(new PluginSettings(new Dictionary<string, string> { ["Group"] = "g" }), CancellationToken.None));
        Assert.Contains("required config key \"Job\" not found", missing.Message);
    }

    [Fact]
    public async Task Scale_passes_count_reason_error_and_meta()
    {
        var stub = new StubNomad().On("PUT", "/v1/job/example/scale", Fixture("PUT_v1_job_JOBID_scale.response.json"));
        using var plugin = await PluginAsync(stub);
        var action = new ScalingAction(7, ScalingDirection.Up, "scaling up because factor is 1.400000")
        {
            Meta = new Dictionary<string, object?> { ["nomad_policy_id"] = "p1", ["nomad_autoscaler.reason_history"] = new List<object?> { "a" }, ["n"] = 2.5 },
        };
        await plugin.ScaleAsync(action, Target(), CancellationToken.None);
        Assert.Equal("namespace=prod", stub.Requests[0].Query);
        var body = JsonNode.Parse(stub.Requests[0].Body!)!;
        Assert.Equal(7, (long)body["Count"]!);
        Assert.Equal("example", (string)body["Target"]!["Job"]!);
        Assert.Equal("cache", (string)body["Target"]!["Group"]!);
        Assert.Equal("scaling up because factor is 1.400000", (string)body["Message"]!);
        Assert.False((bool)body["Error"]!);
        Assert.False((bool)body["PolicyOverride"]!);
        Assert.Equal("p1", (string)body["Meta"]!["nomad_policy_id"]!);
        Assert.Equal("a", (string)body["Meta"]!["nomad_autoscaler.reason_history"]![0]!);
        Assert.Equal(2.5, (double)body["Meta"]!["n"]!);
    }

    [Fact]
    public async Task Dry_run_count_is_sent_as_null()
    {
        var stub = new StubNomad().On("PUT", "/v1/job/example/scale", Fixture("PUT_v1_job_JOBID_scale.response.json"));
        using var plugin = await PluginAsync(stub);
        await plugin.ScaleAsync(new ScalingAction(-1, ScalingDirection.None, "dry") { Error = false }, Target(), CancellationToken.None);
        var body = JsonNode.Parse(stub.Requests[0].Body!)!.AsObject();
        Assert.True(body.ContainsKey("Count"));
        Assert.Null(body["Count"]);
    }

    [Fact]
    public async Task Scale_during_deployment_is_a_no_op_and_other_errors_are_wrapped()
    {
        var stub = new StubNomad().On("PUT", "/v1/job/example/scale", Error(400, "job scaling blocked due to active deployment"), Error(400, "group count was greater than scaling policy maximum: 11 > 10"));
        using var plugin = await PluginAsync(stub);
        var action = new ScalingAction(11, ScalingDirection.Up, "r");
        var noop = await Assert.ThrowsAsync<ScalingNoOpException>(async () => await plugin.ScaleAsync(action, Target(), CancellationToken.None));
        Assert.Equal("skipping scaling group example/cache due to active deployment", noop.Message);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await plugin.ScaleAsync(action, Target(), CancellationToken.None));
        Assert.Equal("failed to scale group example/cache: Unexpected response code: 400 (group count was greater than scaling policy maximum: 11 > 10)", ex.Message);
    }
}
