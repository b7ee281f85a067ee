using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>Nova 5xx and timeouts, injected by a proxy on 127.0.0.1 in front of the real Nova, must leave the pool with
/// exactly the requested servers: none duplicated by a retried create, none leaked by a failed one.</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LostAnswersRejectionsAndTimeouts_DuringScaleOutAndIn_LeaveExactlyTheRequestedServers()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var creates = 0;
        var lists = 0;
        var deletes = 0;
        await using var proxy = await FaultProxy.StartAsync(new Uri(cloud.Id("OS_TEST_COMPUTE_URL")), (method, path) =>
        {
            if (method == "POST" && path.EndsWith("/servers", StringComparison.Ordinal))
            {
                return Interlocked.Increment(ref creates) switch
                {
                    1 => Fault.LoseAnswer,   // applied, answer lost: must be found, not created again
                    2 => Fault.RejectBefore, // never applied: must be sent again
                    3 => Fault.HangAfter,    // applied, no answer at all: client timeout, then found
                    _ => Fault.None,
                };
            }

            if (method == "GET" && path.EndsWith("/servers/detail", StringComparison.Ordinal))
                return Interlocked.Increment(ref lists) % 4 == 0 ? Fault.RejectBefore : Fault.None;
            if (method == "DELETE" && path.Contains("/servers/", StringComparison.Ordinal))
                return Interlocked.Increment(ref deletes) == 1 ? Fault.LoseAnswer : Fault.None;
            return Fault.None;
        });

        var clientOptions = new OpenStackClientOptions { RequestTimeout = TimeSpan.FromSeconds(8), RetryBaseDelay = TimeSpan.FromMilliseconds(200) };
        using var plugin = await h.PluginAsync(o => o.ComputeEndpointOverride = proxy.Address, clientOptions);

        await plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "test"), h.Target(), default);

        var servers = await h.ServersAsync();
        Assert.Equal(3, servers.Count);
        Assert.Equal(3, servers.Select(s => s.Name).Distinct().Count());
        Assert.All(servers, s => Assert.Equal("ACTIVE", s.Status));
        Assert.True(proxy.Injected >= 4, $"only {proxy.Injected} faults were injected");
        // Three creates had an unknown outcome and were checked by name; only the one Nova never saw was sent again.
        Assert.Equal(3, h.Log.Messages.Count(m => m.StartsWith("server create failed with an unknown outcome", StringComparison.Ordinal)));
        Assert.Equal(4, Volatile.Read(ref creates));
        Assert.DoesNotContain(h.Log.Messages, m => m.StartsWith("deleting duplicate server", StringComparison.Ordinal));

        await h.WaitForReadyNodesAsync(3);
        await plugin.ScaleAsync(new ScalingAction(1, ScalingDirection.Down, "test"), h.Target(), default);
        await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 1, TimeSpan.FromMinutes(1), "scale-in to 1");
    }
}
