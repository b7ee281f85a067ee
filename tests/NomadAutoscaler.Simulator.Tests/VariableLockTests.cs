using System.Net;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class VariableLockTests
{
    private const string Acquire = """{"Namespace":"","Path":"nomad-autoscaler/lock","CreateIndex":0,"ModifyIndex":0,"CreateTime":0,"ModifyTime":0,"Items":null,"Lock":{"ID":"","TTL":"15s","LockDelay":"10s"}}""";

    private static string Held(string id) => $$$"""{"Namespace":"","Path":"","CreateIndex":0,"ModifyIndex":0,"CreateTime":0,"ModifyTime":0,"Items":null,"Lock":{"ID":"{{{id}}}","TTL":"","LockDelay":""}}""";

    [Fact]
    public async Task Lock_Acquire_ConflictsForOthers_RenewsAndReleases()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var first = await h.PutAsync("/v1/var/nomad-autoscaler/lock?namespace=default&lock-acquire=", Acquire);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var id = first.Json["Lock"]!["ID"]!.GetValue<string>();
        Assert.Equal("15s", first.Json["Lock"]!["TTL"]!.GetValue<string>());
        Assert.Equal(first.Json["ModifyIndex"]!.GetValue<ulong>(), first.Index);

        var second = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire);
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.False(second.Headers.ContainsKey("X-Nomad-Index"));
        Assert.Equal(0, second.Json["ModifyIndex"]!.GetValue<long>());
        Assert.Equal("nomad-autoscaler/lock", second.Json["Path"]!.GetValue<string>());

        var again = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire.Replace("\"ID\":\"\"", $"\"ID\":\"{id}\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, again.Status);

        var renew = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-renew", Held(id));
        Assert.Equal(HttpStatusCode.OK, renew.Status);
        Assert.False(renew.Headers.ContainsKey("X-Nomad-Index"));
        Assert.Equal(id, renew.Json["Lock"]!["ID"]!.GetValue<string>());

        var wrong = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-release", Held("not-mine"));
        Assert.Equal(HttpStatusCode.Conflict, wrong.Status);
        Assert.Equal(0, wrong.Json["CreateIndex"]!.GetValue<long>());

        var release = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-release", Held(id));
        Assert.Equal(HttpStatusCode.OK, release.Status);
        Assert.Null(release.Json["Lock"]);
        Assert.Equal(HttpStatusCode.OK, (await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire)).Status);
    }

    [Fact]
    public async Task Lock_ExpiresAfterTwiceTheTtl_PlusTheLockDelay()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var id = (await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire)).Json["Lock"]!["ID"]!.GetValue<string>();

        h.Time.Advance(TimeSpan.FromSeconds(29));
        h.Simulator.ProcessTick();
        Assert.Equal(HttpStatusCode.OK, (await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-renew", Held(id))).Status);

        // The renew reset the 2×TTL timer: 30 s after it, the timer fires and the lock-delay window starts.
        h.Time.Advance(TimeSpan.FromSeconds(31));
        h.Simulator.ProcessTick();
        var renewLate = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-renew", Held(id));
        Assert.Equal(HttpStatusCode.Conflict, renewLate.Status);
        Assert.Equal("attempting to modify locked variable", renewLate.Body);
        Assert.Equal(HttpStatusCode.Conflict, (await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire)).Status);

        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Simulator.ProcessTick();
        var variable = (await h.GetAsync("/v1/var/nomad-autoscaler/lock")).Json;
        Assert.Null(variable["Lock"]);
        var next = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire);
        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.NotEqual(id, next.Json["Lock"]!["ID"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("?lock-acquire", """{"Lock":{"TTL":"5s","LockDelay":"1s"}}""", 400, "RPC Error:: 400,1 error occurred:\n\t* TTL must be between 10 seconds and 24 hours\n\n")]
    [InlineData("?lock-acquire&lock-renew", """{"Lock":{"ID":"x"}}""", 400, "multiple lock operations")]
    [InlineData("?lock-acquire&cas=0", """{"Lock":{"TTL":"15s"}}""", 400, "CAS can't be used with lock operations")]
    [InlineData("?lock-release", """{"Items":{},"Lock":{"ID":"x"}}""", 400, "RPC Error:: 400,lock release operation doesn't take variable items")]
    [InlineData("?lock-release", """{"Lock":{"ID":""}}""", 400, "RPC Error:: 400,missing lock information")]
    [InlineData("?lock-release", """{"Lock":{"ID":"x"}}""", 404, "variable doesn't exist")]
    [InlineData("?lock-renew", """{"Lock":{"ID":"x"}}""", 404, "variable doesn't exist")]
    [InlineData("?lock-renew", """{"Lock":{}}""", 500, "1 error occurred:\n\t* missing lock ID\n\n")]
    [InlineData("", """{"Items":{}}""", 400, "RPC Error:: 400,1 error occurred:\n\t* variable missing required Items object\n\n")]
    public async Task LockAndVariableErrors_UseNomadsStatusAndText(string query, string body, int status, string message)
    {
        await using var h = await SimulatorHarness.StartAsync();
        var reply = await h.PutAsync("/v1/var/app/lock" + query, body);
        Assert.Equal((HttpStatusCode)status, reply.Status);
        Assert.Equal(message, reply.Body);
    }

    [Fact]
    public async Task RenewOrReleaseOfAnUnlockedVariable_Is409Text()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await h.PutAsync("/v1/var/app/config", """{"Items":{"a":"b"}}""");
        var renew = await h.PutAsync("/v1/var/app/config?lock-renew", Held("x"));
        Assert.Equal(HttpStatusCode.Conflict, renew.Status);
        Assert.Equal("variable doesn't hold a lock", renew.Body);
    }

    [Fact]
    public async Task Variables_Crud_Cas_AndMethods()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var missing = await h.GetAsync("/v1/var/app/config");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("variable not found", missing.Body);
        Assert.True(missing.Index >= 1);

        var created = await h.PutAsync("/v1/var/app/config?cas=0", """{"Items":{"a":"1"}}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var conflict = await h.PutAsync("/v1/var/app/config?cas=0", """{"Items":{"a":"2"}}""");
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("1", conflict.Json["Items"]!["a"]!.GetValue<string>());

        var read = await h.GetAsync("/v1/var/app/config");
        Assert.Equal(created.Json["ModifyIndex"]!.GetValue<ulong>(), read.Index);
        Assert.Single((await h.GetAsync("/v1/vars?prefix=app/")).Json.AsArray());

        var delete = await h.SendAsync(HttpMethod.Delete, "/v1/var/app/config");
        Assert.Equal(HttpStatusCode.NoContent, delete.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("/v1/var/app/config")).Status);

        var patch = await h.SendAsync(HttpMethod.Patch, "/v1/var/app/config", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, patch.Status);
        Assert.Equal("Invalid method", patch.Body);
        var empty = await h.GetAsync("/v1/var/");
        Assert.Equal("missing variable path", empty.Body);
    }

    [Fact]
    public async Task WritingALockedVariable_WithoutTheLock_Is409()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var id = (await h.PutAsync("/v1/var/app/lock?lock-acquire", Acquire)).Json["Lock"]!["ID"]!.GetValue<string>();
        var refused = await h.PutAsync("/v1/var/app/lock", """{"Items":{"a":"b"}}""");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        var allowed = await h.PutAsync("/v1/var/app/lock", $$$"""{"Items":{"a":"b"},"Lock":{"ID":"{{{id}}}"}}""");
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
    }

    [Fact]
    public async Task InjectedFaults_AnswerTheirPrefix_UntilCleared_AndLeaveOtherPathsAlone()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Simulator.Faults.Fail("/v1/var/");

        var refused = await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire);
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Equal("rpc error: injected fault", refused.Body);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/v1/status/leader")).Status);
        Assert.Equal(HttpStatusCode.OK, (await h.GetAsync("/v1/jobs")).Status);
        Assert.Equal(1, h.Simulator.Faults.Hits);

        h.Simulator.Faults.Clear();
        Assert.Equal(HttpStatusCode.OK, (await h.PutAsync("/v1/var/nomad-autoscaler/lock?lock-acquire", Acquire)).Status);
    }
}
