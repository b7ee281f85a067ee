using System.Net;

namespace NomadAutoscaler.Simulator.Tests;

public sealed class BlockingQueryTests
{
    [Fact]
    public async Task Read_WithoutIndex_ReturnsAtOnceWithIndexHeaders()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        var reply = await h.GetAsync("/v1/nodes");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Index > 0);
        Assert.Equal("true", reply.Headers["X-Nomad-KnownLeader"]);
        Assert.Equal("0", reply.Headers["X-Nomad-LastContact"]);
    }

    [Fact]
    public async Task Read_WithStaleIndex_ReturnsAtOnce()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.AddNode();
        var current = (await h.GetAsync("/v1/nodes")).Index;
        // A lower index than the table's: no wait even with a long wait time (fake time never advances here).
        var reply = await h.GetAsync($"/v1/nodes?index={current - 1}&wait=5m");
        Assert.Equal(current, reply.Index);
    }

    [Fact]
    public async Task Read_WithCurrentIndex_BlocksUntilAChangeThenReturnsTheNewIndex()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode(name: "first");
        var current = (await h.GetAsync("/v1/nodes")).Index;
        var blocked = h.GetAsync($"/v1/nodes?index={current}&wait=5m");
        h.AddNode(name: "second");
        var reply = await blocked;
        Assert.True(reply.Index > current, "a blocked query returns only with a newer index");
        Assert.Equal(2, reply.Json.AsArray().Count);
    }

    [Fact]
    public async Task Read_WithCurrentIndex_WaitsForTheWholeWaitThenReturnsTheSameIndex()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.TickInterval = TimeSpan.FromHours(1));
        var nodeId = h.AddNode();
        var current = (await h.GetAsync($"/v1/node/{nodeId}")).Index;
        var blocked = h.GetAsync($"/v1/node/{nodeId}?index={current}&wait=5000ms");
        var seconds = 0;
        await Eventually.TrueAsync(
            () =>
            {
                if (blocked.IsCompleted)
                {
                    return true;
                }

                h.Time.Advance(TimeSpan.FromSeconds(1));
                seconds++;
                return false;
            },
            "the blocking query to time out");
        var reply = await blocked;
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(current, reply.Index);
        Assert.True(seconds >= 5, $"returned after {seconds}s of simulated time, before the 5s wait");
    }

    [Fact]
    public async Task Read_WaitIsCappedAtFiveMinutes()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.TickInterval = TimeSpan.FromHours(1));
        var nodeId = h.AddNode();
        var current = (await h.GetAsync($"/v1/node/{nodeId}")).Index;
        var blocked = h.GetAsync($"/v1/node/{nodeId}?index={current}&wait=1h");
        var minutes = 0;
        await Eventually.TrueAsync(
            () =>
            {
                if (blocked.IsCompleted)
                {
                    return true;
                }

                h.Time.Advance(TimeSpan.FromMinutes(1));
                minutes++;
                return false;
            },
            "the capped wait to end");
        Assert.InRange(minutes, 5, 10);
    }

    [Fact]
    public async Task BlockedRead_WakesOnlyWhenItsOwnIndexMoves()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeA = h.AddNode(name: "a");
        var nodeB = h.AddNode(name: "b");
        var indexA = (await h.GetAsync($"/v1/node/{nodeA}")).Index;
        var blocked = h.GetAsync($"/v1/node/{nodeA}?index={indexA}&wait=5m");
        // A write to another node wakes the query, which re-runs, sees its node unchanged and keeps waiting.
        await h.PutAsync($"/v1/node/{nodeB}/eligibility", """{"Eligibility":"ineligible"}""");
        await h.PutAsync($"/v1/node/{nodeA}/eligibility", """{"Eligibility":"ineligible"}""");
        var reply = await blocked;
        Assert.Equal("ineligible", reply.Json["SchedulingEligibility"]!.GetValue<string>());
        Assert.True(reply.Index > indexA);
    }

    [Fact]
    public async Task BlockedRead_CancelledWhereADispatcherRuns_EndsOnTheCancellingThread()
    {
        // The scaling lab runs everything on one thread; a cancelled read that resumed on the thread pool would run
        // the rest of its caller there, beside the lab's clock.
        var dispatched = new Queue<Action>();
        await using var h = await SimulatorHarness.StartAsync(o =>
        {
            o.TickInterval = TimeSpan.FromHours(1);
            o.Dispatch = dispatched.Enqueue;
        });
        var nodeId = h.AddNode();
        using var client = new HttpClient(h.Simulator.CreateHttpHandler()) { BaseAddress = h.Http.BaseAddress };
        // Off xUnit's synchronization context, which would post every continuation, as the lab's thread has none.
        var (blocks, endedInsideCancel, blocked) = await Task.Run(async () =>
        {
            var index = (await client.GetAsync($"/v1/node/{nodeId}")).Headers.GetValues("X-Nomad-Index").Single();
            using var cancel = new CancellationTokenSource();
            var read = client.GetAsync($"/v1/node/{nodeId}?index={index}&wait=5m", cancel.Token);
            var blocking = !read.IsCompleted;
            cancel.Cancel();
            return (blocking, read.IsCompleted, read);
        });

        Assert.True(blocks, "the read blocks");
        Assert.True(endedInsideCancel, "the read ended inside Cancel, not later on another thread");
        Assert.True(blocked.IsCompletedSuccessfully, "an abandoned read ends quietly, as Kestrel drops the request");
    }

    [Fact]
    public async Task BlockedRead_WhoseWaitEndsWithinAMillisecond_WaitsForTheClockInsteadOfSpinning()
    {
        // Wake-ups run where the clock moves, as in the lab.
        await using var h = await SimulatorHarness.StartAsync(o =>
        {
            o.TickInterval = TimeSpan.FromHours(1);
            o.Dispatch = wake => wake();
        });
        var nodeId = h.AddNode();
        // In memory, the read runs on whichever thread moves the clock, as in the scaling lab.
        using var client = new HttpClient(h.Simulator.CreateHttpHandler()) { BaseAddress = h.Http.BaseAddress };
        // Off xUnit's synchronization context, which would post every continuation, as the lab's thread has none.
        var index = await Task.Run(async () => (await client.GetAsync($"/v1/node/{nodeId}")).Headers.GetValues("X-Nomad-Index").Single());
        Task<HttpResponseMessage>? blocked = null;
        // A 1 ms wait plus a fraction of a millisecond of jitter: after the first millisecond, what is left is below
        // one, which Task.Delay rounds to nothing, so the read would re-run for ever inside the clock's move.
        var clock = Task.Run(() =>
        {
            blocked = client.GetAsync($"/v1/node/{nodeId}?index={index}&wait=1ms");
            for (var step = 0; step < 8 && !blocked.IsCompleted; step++) h.Time.Advance(TimeSpan.FromMilliseconds(1));
        });

        Assert.Same(clock, await Task.WhenAny(clock, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.True(blocked!.IsCompleted, "the wait ended once the clock passed it");
        Assert.Equal(index, (await blocked).Headers.GetValues("X-Nomad-Index").Single());
    }

    [Fact]
    public async Task BlockedRead_OfAMissingObject_Returns404WithAnIndex()
    {
        await using var h = await SimulatorHarness.StartAsync(o => o.TickInterval = TimeSpan.FromHours(1));
        var immediate = await h.GetAsync("/v1/job/nope");
        Assert.Equal(HttpStatusCode.NotFound, immediate.Status);
        var blocked = h.GetAsync($"/v1/job/nope?index={immediate.Index}&wait=2s");
        await Eventually.TrueAsync(
            () =>
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
                return blocked.IsCompleted;
            },
            "the 404 read to time out");
        var reply = await blocked;
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("job not found", reply.Body);
        Assert.True(reply.Index >= 1);
    }

    [Theory]
    [InlineData("/v1/nodes?index=abc", "Invalid index")]
    [InlineData("/v1/nodes?wait=forever", "Invalid wait time")]
    [InlineData("/v1/nodes?stale=maybe", "Expect `true` or `false` for `stale` query string parameter")]
    public async Task BadQueryParameters_Give400WithNomadsText(string path, string message)
    {
        await using var h = await SimulatorHarness.StartAsync();
        var reply = await h.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(message, reply.Body);
    }

    [Fact]
    public async Task StaleFlag_WithEmptyValue_IsAccepted()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var reply = await h.GetAsync("/v1/nodes?stale=&wait=300000ms");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("[]", reply.Body);
        Assert.True(reply.Index >= 1, "a read never answers index 0");
    }

    [Fact]
    public async Task NodeAllocations_IndexIsTheHighestAllocationModifyIndex()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var nodeId = h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("example", count: 2));
        var reply = await h.GetAsync($"/v1/node/{nodeId}/allocations");
        var max = reply.Json.AsArray().Max(a => a!["ModifyIndex"]!.GetValue<ulong>());
        Assert.Equal(max, reply.Index);
    }

    [Fact]
    public async Task PolicyList_IndexDoesNotMoveOnACountOnlyScale()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.AddNode();
        h.Simulator.RegisterJob(JobJson.Service("example", count: 1, min: 1, max: 5));
        var before = (await h.GetAsync("/v1/scaling/policies")).Index;
        var scale = await h.PutAsync("/v1/job/example/scale", """{"Count":3,"Target":{"Group":"cache"}}""");
        Assert.Equal(HttpStatusCode.OK, scale.Status);
        Assert.Equal(before, (await h.GetAsync("/v1/scaling/policies")).Index);
        // A change to the policy itself does move it.
        h.Simulator.RegisterJob(JobJson.Service("example", count: 3, min: 1, max: 6));
        Assert.True((await h.GetAsync("/v1/scaling/policies")).Index > before);
    }
}
