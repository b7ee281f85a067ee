using System.Net;
using NomadAutoscaler.OpenStack.Tests;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class ScaleTests
{
    private static async Task<SimulatorHarness> StartWithJobAsync(long? min = 1, long? max = 10)
    {
        var h = await SimulatorHarness.StartAsync();
        h.AddNode(cpu: 16000, memoryMB: 32768);
        h.Simulator.RegisterJob(JobJson.Service("example", count: 2, min: min, max: max));
        return h;
    }

    [Fact]
    public async Task Scale_MakesANewVersion_AnEvaluation_AndAnEvent_ThenConverges()
    {
        await using var h = await StartWithJobAsync();
        var before = (await h.GetAsync("/v1/job/example")).Json;
        var reply = await h.PutAsync("/v1/job/example/scale",
            """{"Count":4,"Target":{"Job":"example","Group":"cache"},"Message":"scaling up","Error":false,"Meta":{"nomad_policy_id":"p1"},"PolicyOverride":false,"JobModifyIndex":0,"Region":"","Namespace":"","SecretID":""}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var body = reply.Json;
        var jobModifyIndex = body["JobModifyIndex"]!.GetValue<ulong>();
        var evalCreateIndex = body["EvalCreateIndex"]!.GetValue<ulong>();
        Assert.True(jobModifyIndex < evalCreateIndex && evalCreateIndex < body["Index"]!.GetValue<ulong>(), "job, eval, event are three successive writes");
        Assert.Equal(body["Index"]!.GetValue<ulong>(), reply.Index);

        var after = (await h.GetAsync("/v1/job/example")).Json;
        Assert.Equal(before["Version"]!.GetValue<ulong>() + 1, after["Version"]!.GetValue<ulong>());
        Assert.Equal(4, after["TaskGroups"]![0]!["Count"]!.GetValue<int>());

        var eval = (await h.GetAsync($"/v1/evaluation/{body["EvalID"]!.GetValue<string>()}")).Json;
        Assert.Equal("job-scaling", eval["TriggeredBy"]!.GetValue<string>());

        var status = (await h.GetAsync("/v1/job/example/scale")).Json;
        var group = status["TaskGroups"]!["cache"]!;
        Assert.Equal(4, group["Desired"]!.GetValue<int>());
        Assert.Equal(4, group["Running"]!.GetValue<int>());
        var ev = group["Events"]![0]!;
        Assert.Equal(4, ev["Count"]!.GetValue<long>());
        Assert.Equal(2, ev["PreviousCount"]!.GetValue<long>());
        Assert.Equal("scaling up", ev["Message"]!.GetValue<string>());
        Assert.Equal("p1", ev["Meta"]!["nomad_policy_id"]!.GetValue<string>());
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000, ev["Time"]!.GetValue<long>());
    }

    [Fact]
    public async Task Scale_EventsAreNewestFirst_AndKeptToTwenty()
    {
        await using var h = await StartWithJobAsync(min: 0, max: 100);
        for (var i = 1; i <= 22; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await h.PutAsync("/v1/job/example/scale", $$"""{"Count":{{i % 3}},"Target":{"Group":"cache"},"Message":"m{{i}}"}""")).Status);
        }

        var events = (await h.GetAsync("/v1/job/example/scale")).Json["TaskGroups"]!["cache"]!["Events"]!.AsArray();
        Assert.Equal(20, events.Count);
        Assert.Equal("m22", events[0]!["Message"]!.GetValue<string>());
        Assert.Equal("m3", events[19]!["Message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scale_WithNullCount_OnlyRecordsAnEvent()
    {
        await using var h = await StartWithJobAsync();
        var job = (await h.GetAsync("/v1/job/example")).Json;
        var reply = await h.PutAsync("/v1/job/example/scale", """{"Count":null,"Target":{"Group":"cache"},"Message":"dry run"}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("", reply.Json["EvalID"]!.GetValue<string>());
        Assert.Equal(job["ModifyIndex"]!.GetValue<ulong>(), reply.Json["JobModifyIndex"]!.GetValue<ulong>());
        var after = (await h.GetAsync("/v1/job/example")).Json;
        Assert.Equal(job["Version"]!.GetValue<ulong>(), after["Version"]!.GetValue<ulong>());
        var ev = (await h.GetAsync("/v1/job/example/scale")).Json["TaskGroups"]!["cache"]!["Events"]![0]!;
        Assert.Null(ev["Count"]);
        Assert.Null(ev["EvalID"]);
    }

    [Fact]
    public async Task Scale_DuringAnActiveDeployment_Is400WithNomadsText()
    {
        await using var h = await StartWithJobAsync();
        h.Simulator.StartDeployment("example");
        var reply = await h.PutAsync("/v1/job/example/scale", """{"Count":3,"Target":{"Group":"cache"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("job scaling blocked due to active deployment", reply.Body);
        Assert.Equal(2, h.Simulator.GetDesiredCount("example", "cache"));
        h.Simulator.CompleteDeployments("example");
        Assert.Equal(HttpStatusCode.OK, (await h.PutAsync("/v1/job/example/scale", """{"Count":3,"Target":{"Group":"cache"}}""")).Status);
    }

    [Theory]
    [InlineData("example", """{"Count":3,"Target":{"Job":"other","Group":"cache"}}""", 400, "job ID in payload did not match URL")]
    [InlineData("example", """{"Count":3,"Target":{"Namespace":"prod","Group":"cache"}}""", 400, "namespace in payload did not match header")]
    [InlineData("example", """{"Count":3,"Target":{}}""", 400, "missing task group name for scaling action")]
    [InlineData("example", """{"Count":-1,"Target":{"Group":"cache"}}""", 400, "scaling action count can't be negative")]
    [InlineData("example", """{"Count":1,"Error":true,"Target":{"Group":"cache"}}""", 400, "scaling action should not contain count if error is true")]
    [InlineData("missing", """{"Count":1,"Target":{"Group":"cache"}}""", 404, "job \"missing\" not found")]
    [InlineData("example", """{"Count":1,"Target":{"Group":"nope"}}""", 400, "task group \"nope\" specified for scaling does not exist in job")]
    [InlineData("example", """{"Count":0,"Target":{"Group":"cache"}}""", 400, "group count was less than scaling policy minimum: 0 < 1")]
    [InlineData("example", """{"Count":11,"Target":{"Group":"cache"}}""", 400, "group count was greater than scaling policy maximum: 11 > 10")]
    [InlineData("example", "", 400, "Request body is empty")]
    public async Task Scale_Validation_FollowsNomadsOrderAndText(string job, string body, int status, string message)
    {
        await using var h = await StartWithJobAsync();
        var reply = await h.PutAsync($"/v1/job/{job}/scale", body);
        Assert.Equal((HttpStatusCode)status, reply.Status);
        Assert.Equal(message, reply.Body);
    }

    [Fact]
    public async Task Scale_SystemJobAboveOne_IsRefused()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("sys", type: "system"));
        var reply = await h.PutAsync("/v1/job/sys/scale", """{"Count":2,"Target":{"Group":"cache"}}""");
        Assert.Equal("jobs of type \"system\" can only be scaled between 0 and 1", reply.Body);
    }

    [Fact]
    public async Task ScaleRequestLog_RecordsCallerAndTokenFingerprint_NeverTheToken()
    {
        await using var h = await StartWithJobAsync();
        await h.SendAsync(HttpMethod.Post, "/v1/job/example/scale", """{"Count":3,"Target":{"Group":"cache"},"Message":"from A"}""", token: "secret-a");
        await h.SendAsync(HttpMethod.Put, "/v1/job/example/scale", """{"Count":99,"Target":{"Group":"cache"},"Message":"from B"}""", token: "secret-b");
        var log = h.Simulator.ScaleRequestLog;
        Assert.Equal(2, log.Count);
        Assert.Equal(ScaleRequestRecord.Fingerprint("secret-a"), log[0].TokenFingerprint);
        Assert.True(log[0].Accepted);
        Assert.Equal(2, log[0].PreviousCount);
        Assert.Equal(3, log[0].Count);
        Assert.StartsWith("127.0.0.1:", log[0].Client, StringComparison.Ordinal);
        Assert.Equal(400, log[1].StatusCode);
        Assert.Equal("group count was greater than scaling policy maximum: 99 > 10", log[1].ErrorMessage);
        Assert.Single(h.Simulator.ScaleEvents);
        Assert.DoesNotContain(log, r => r.ToString().Contains("secret-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logger_ReportsScaleRequests_WithoutTheToken()
    {
        var logger = new TestLogger();
        await using var h = await SimulatorHarness.StartAsync(o => o.Logger = logger);
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("example", count: 1, min: 1, max: 3));
        await h.SendAsync(HttpMethod.Put, "/v1/job/example/scale", """{"Count":2,"Target":{"Group":"cache"}}""", token: "tok-123");
        await h.SendAsync(HttpMethod.Put, "/v1/job/example/scale", """{"Count":9,"Target":{"Group":"cache"}}""", token: "tok-123");
        Assert.Contains(logger.Messages, l => l.StartsWith("scale request accepted: job=example namespace=default group=cache from=1 to=2", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, l => l.StartsWith("scale request refused: job=example", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Messages, l => l.Contains("tok-123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JobIdWithSlash_IsRoutedOnTheDecodedPath()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("parent/dispatch-1", count: 1));
        var job = await h.GetAsync("/v1/job/parent%2Fdispatch-1");
        Assert.Equal(HttpStatusCode.OK, job.Status);
        Assert.Equal("parent/dispatch-1", job.Json["ID"]!.GetValue<string>());
        var scale = await h.GetAsync("/v1/job/parent%2Fdispatch-1/scale");
        Assert.Equal(HttpStatusCode.OK, scale.Status);
        Assert.Single((await h.GetAsync("/v1/job/parent%2Fdispatch-1/allocations")).Json.AsArray());
    }

    [Fact]
    public async Task StoppingAJob_DisablesItsPolicies_PurgingDeletesThem()
    {
        await using var h = await StartWithJobAsync();
        var stop = await h.SendAsync(HttpMethod.Delete, "/v1/job/example");
        Assert.Equal(HttpStatusCode.OK, stop.Status);
        var policy = Assert.Single((await h.GetAsync("/v1/scaling/policies")).Json.AsArray())!;
        Assert.False(policy["Enabled"]!.GetValue<bool>());
        Assert.True((await h.GetAsync("/v1/job/example/scale")).Json["JobStopped"]!.GetValue<bool>());
        Assert.Equal(0, h.Simulator.GetRunningCount("example", "cache"));
        await h.SendAsync(HttpMethod.Delete, "/v1/job/example?purge=true");
        Assert.Equal("[]", (await h.GetAsync("/v1/scaling/policies")).Body);
        var missing = await h.GetAsync("/v1/job/example/scale");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("job not found", missing.Body);
    }

    [Fact]
    public async Task PolicyList_FiltersByJobTypeAndNamespace()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("a", min: 1, max: 3));
        h.Simulator.RegisterJob(JobJson.Service("b", min: 1, max: 3, ns: "prod"));
        Assert.Single((await h.GetAsync("/v1/scaling/policies")).Json.AsArray());
        Assert.Equal(2, (await h.GetAsync("/v1/scaling/policies?namespace=*")).Json.AsArray().Count);
        Assert.Empty((await h.GetAsync("/v1/scaling/policies?job=b")).Json.AsArray());
        Assert.Single((await h.GetAsync("/v1/scaling/policies?type=horiz")).Json.AsArray());
        Assert.Empty((await h.GetAsync("/v1/scaling/policies?job=a&type=horiz")).Json.AsArray());
        var missing = await h.GetAsync("/v1/scaling/policy/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("policy not found", missing.Body);
    }
}
