using System.Collections.Concurrent;
using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>os-nova's Octavia membership (<c>lb_pool_id</c>) against the real Octavia API of the loopback cloud (no-op
/// amphora/compute/network drivers: members are real API objects that go through PENDING_* to ACTIVE).</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class LoadBalancerIntegrationTests(ITestOutputHelper output)
{
    private const int MemberPort = 8080;

    [Fact]
    public async Task ScaleOut_AddsEachServerBeforeReturning_ScaleIn_RemovesTheMemberBeforeDeletingTheServer()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var lb = new LbPool(h);
        try
        {
            // Witness in front of Nova: at the moment a server delete arrives, its member must already be gone.
            var violations = new ConcurrentQueue<string>();
            var deletes = 0;
            await using var witness = await FaultProxy.StartAsync(new Uri(cloud.Id("OS_TEST_COMPUTE_URL")), (method, path) =>
            {
                if (method == "DELETE" && path.Contains("/servers/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref deletes);
                    var id = path[(path.LastIndexOf('/') + 1)..];
                    var left = lb.MembersAsync().GetAwaiter().GetResult().Where(m => m.Name == id).ToList();
                    if (left.Count > 0) violations.Enqueue($"server {id} deleted while member {left[0].Id} ({left[0].ProvisioningStatus}) was still in the pool");
                }

                return Fault.None;
            });
            using var plugin = await h.PluginAsync(o =>
            {
                lb.Configure(o);
                o.ComputeEndpointOverride = witness.Address;
            });

            await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), h.Target(), default);

            // No waiting: "successfully performed" means the members are there and ACTIVE.
            var servers = await h.ServersAsync();
            Assert.Equal(2, servers.Count);
            var members = await lb.MembersOfAsync(servers.Select(s => s.Id));
            Assert.Equal(servers.Select(s => s.Id).Order(), members.Select(m => m.Name).Order());
            foreach (var server in servers)
            {
                var member = members.Single(m => m.Name == server.Id);
                var port = Assert.Single(await h.Observer.Neutron.ListPortsAsync(server.Id));
                var fixedIp = port.FixedIps.Single(f => f.SubnetId == cloud.Id("OS_TEST_LB_SUBNET_ID"));
                Assert.Equal(fixedIp.Address, member.Address);
                Assert.Equal(MemberPort, member.ProtocolPort);
                Assert.Equal("ACTIVE", member.ProvisioningStatus);
            }

            await h.WaitForReadyNodesAsync(2);
            await plugin.ScaleAsync(new ScalingAction(1, ScalingDirection.Down, "test"), h.Target(), default);

            var remaining = Assert.Single(await h.ServersAsync());
            var after = await lb.MembersOfAsync(servers.Select(s => s.Id));
            Assert.Equal(remaining.Id, Assert.Single(after).Name);
            Assert.True(Volatile.Read(ref deletes) >= 1, "the witness saw no server delete");
            Assert.Empty(violations);
            Assert.Contains(h.Log.Messages, m => m.StartsWith("deleted load balancer member", StringComparison.Ordinal));
        }
        finally
        {
            await lb.RemoveMembersOfAsync(await h.ServersAsync());
        }
    }

    [Fact]
    public async Task Restart_AndStatus_RemoveMembersWhoseServerIsGone_ButNeverForeignMembers()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var lb = new LbPool(h);
        var foreign = "manual-backend-" + h.PoolName;
        try
        {
            using (var first = await h.PluginAsync(lb.Configure))
                await first.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), h.Target(), default);
            var servers = await h.ServersAsync();
            Assert.Equal(2, (await lb.MembersOfAsync(servers.Select(s => s.Id))).Count);

            // The plugin "crashed" after deleting a server and before removing its member: Nova forgets the server,
            // the member stays. A member that os-nova did not create (its name is no server ID) must survive.
            var crashed = servers[0];
            await h.Observer.Nova.DeleteServerAsync(crashed.Id);
            await h.WaitForAsync(async () => await h.Observer.Nova.GetServerAsync(crashed.Id) is null, TimeSpan.FromMinutes(1), "the crashed server to be gone");
            await lb.AddMemberAsync(foreign);
            Assert.Single(await lb.MembersOfAsync([crashed.Id]));

            // Set-up of the restarted plugin finds and removes the leftover, and verifies it is gone.
            using var restarted = await h.PluginAsync(lb.Configure);
            Assert.Empty(await lb.MembersOfAsync([crashed.Id]));
            Assert.Single(await lb.MembersOfAsync([servers[1].Id]));
            Assert.Single(await lb.MembersOfAsync([foreign]));
            Assert.Contains(h.Log.Messages, m => m.StartsWith("removing load balancer member of a server that no longer exists", StringComparison.Ordinal));

            // The same at Status, for a leftover that appears while the plugin runs.
            var ghost = Guid.NewGuid().ToString();
            await lb.AddMemberAsync(ghost);
            var status = await restarted.GetStatusAsync(h.Target(), default);
            Assert.Equal(1, status!.Count);
            Assert.Empty(await lb.MembersOfAsync([ghost]));
            Assert.Single(await lb.MembersOfAsync([foreign]));
        }
        finally
        {
            await lb.RemoveMembersOfAsync(await h.ServersAsync(), foreign);
        }
    }

    [Fact]
    public async Task OctaviaFaults_LostAnswersRejectionsAndATimeout_LeaveExactlyOneMemberPerServer()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var lb = new LbPool(h);
        var creates = 0;
        var deletes = 0;
        var lbReads = 0;
        try
        {
            await using var proxy = await FaultProxy.StartAsync(new Uri(cloud.Id("OS_TEST_LB_URL")), (method, path) =>
            {
                if (method == "POST" && path.EndsWith("/members", StringComparison.Ordinal))
                {
                    return Interlocked.Increment(ref creates) switch
                    {
                        1 => Fault.LoseAnswer,   // applied, 502: must be found by name, not added twice
                        2 => Fault.HangAfter,    // applied, no answer: client timeout, then found
                        3 => Fault.RejectBefore, // 503 before Octavia saw it: must be sent again
                        _ => Fault.None,
                    };
                }

                if (method == "DELETE" && path.Contains("/members/", StringComparison.Ordinal))
                    return Interlocked.Increment(ref deletes) == 1 ? Fault.LoseAnswer : Fault.None;
                if (method == "GET" && path.Contains("/loadbalancers/", StringComparison.Ordinal))
                    return Interlocked.Increment(ref lbReads) % 3 == 0 ? Fault.RejectBefore : Fault.None;
                return Fault.None;
            });
            var clientOptions = new OpenStackClientOptions
            {
                RequestTimeout = TimeSpan.FromSeconds(8),
                RetryBaseDelay = TimeSpan.FromMilliseconds(200),
                EndpointOverrides = new Dictionary<string, Uri>(StringComparer.Ordinal) { ["load-balancer"] = proxy.Address },
            };
            using var plugin = await h.PluginAsync(lb.Configure, clientOptions);

            await plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "test"), h.Target(), default);

            var servers = await h.ServersAsync();
            Assert.Equal(3, servers.Count);
            var members = await lb.MembersOfAsync(servers.Select(s => s.Id));
            Assert.Equal(servers.Select(s => s.Id).Order(), members.Select(m => m.Name).Order());
            Assert.All(members, m => Assert.Equal("ACTIVE", m.ProvisioningStatus));
            Assert.Equal(3, h.Log.Messages.Count(m => m.StartsWith("load balancer member create failed with an unknown outcome", StringComparison.Ordinal)));
            Assert.Equal(4, Volatile.Read(ref creates));

            await h.WaitForReadyNodesAsync(3);
            await plugin.ScaleAsync(new ScalingAction(1, ScalingDirection.Down, "test"), h.Target(), default);
            var remaining = Assert.Single(await h.ServersAsync());
            Assert.Equal(remaining.Id, Assert.Single(await lb.MembersOfAsync(servers.Select(s => s.Id))).Name);
            Assert.True(proxy.Injected >= 5, $"only {proxy.Injected} faults were injected");
            Assert.True(Volatile.Read(ref deletes) >= 3, $"only {deletes} member deletes went through the proxy");
        }
        finally
        {
            await lb.RemoveMembersOfAsync(await h.ServersAsync());
        }
    }

    [Fact]
    public async Task UnknownPool_FailsSetUpNamingTheKey()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var missing = Guid.NewGuid().ToString();
        var ex = await Assert.ThrowsAsync<PluginConfigException>(() => h.PluginAsync(o =>
        {
            o.LbPoolId = missing;
            o.LbMemberPort = MemberPort;
        }));
        Assert.Contains("lb_pool_id", ex.Message, StringComparison.Ordinal);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The bootstrap pool of up.sh, read and cleaned with the member user (what an operator would see).</summary>
    private sealed class LbPool(PoolHarness h)
    {
        private readonly string _poolId = h.Cloud.Id("OS_TEST_LB_POOL_ID");
        private readonly string _lbId = h.Cloud.Id("OS_TEST_LB_ID");
        private readonly string _subnetId = h.Cloud.Id("OS_TEST_LB_SUBNET_ID");
        private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

        public void Configure(OsNovaOptions o)
        {
            o.LbPoolId = _poolId;
            o.LbMemberPort = MemberPort;
            o.LbSubnetId = _subnetId;
        }

        public Task<IReadOnlyList<OctaviaMember>> MembersAsync() => h.Observer.Octavia.ListMembersAsync(_poolId);

        public async Task<IReadOnlyList<OctaviaMember>> MembersOfAsync(IEnumerable<string> names)
        {
            var wanted = names.ToHashSet(StringComparer.Ordinal);
            foreach (var name in wanted) _seen[name] = true;
            return (await MembersAsync()).Where(m => wanted.Contains(m.Name)).ToList();
        }

        /// <summary>Adds a member at an address of the test subnet that no member of the pool uses: Neutron hands
        /// the pool's servers addresses from the same range, and Octavia refuses a second member on one address.</summary>
        public async Task AddMemberAsync(string name)
        {
            var used = (await MembersAsync()).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
            var address = Enumerable.Range(2, 253).Reverse().Select(i => $"192.0.2.{i}").First(a => !used.Contains(a));
            await WaitActiveAsync();
            var member = await h.Observer.Octavia.CreateMemberAsync(_poolId, name, address, MemberPort, _subnetId);
            await h.WaitForAsync(async () => (await h.Observer.Octavia.GetMemberAsync(_poolId, member.Id))?.ProvisioningStatus == "ACTIVE",
                TimeSpan.FromMinutes(1), $"member {name} to be ACTIVE");
        }

        /// <summary>Nothing of a test may stay in the shared pool, whatever the test did (also members of servers
        /// that are gone, which a failed test may leave).</summary>
        public async Task RemoveMembersOfAsync(IEnumerable<NovaServer> servers, params string[] extra)
        {
            foreach (var member in await MembersOfAsync(servers.Select(s => s.Id).Concat(extra).Concat(_seen.Keys).ToList()))
            {
                await WaitActiveAsync();
                await h.Observer.Octavia.DeleteMemberAsync(_poolId, member.Id);
                await h.WaitForAsync(async () => await h.Observer.Octavia.GetMemberAsync(_poolId, member.Id) is null, TimeSpan.FromMinutes(1), $"member {member.Id} to be deleted");
            }
        }

        private Task WaitActiveAsync() => h.WaitForAsync(async () => await h.Observer.Octavia.GetLoadBalancerStatusAsync(_lbId) == "ACTIVE",
            TimeSpan.FromMinutes(1), "the load balancer to be ACTIVE");
    }
}
