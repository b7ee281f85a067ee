using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>os-nova's <c>flavor_names</c> on the real loopback OpenStack: a flavor too big for the project's RAM quota
/// (100 GB) and one no host can offer (it asks for a VGPU) are skipped for the last one, each fallback logged and
/// counted, and the status reports the pool's capacity from each server's own flavor.</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FlavorFallbackIntegrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_quota_too_small_for_the_first_flavor_and_no_valid_host_for_the_second_fall_back_to_the_next_flavor()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        var quotaBuster = await EnsureFlavorAsync(cloud, "it-osnova-200GB-ram", ram: 204_800, extraSpecs: null);
        var noHost = await EnsureFlavorAsync(cloud, "it-osnova-vgpu", ram: 2048, extraSpecs: new JsonObject { ["resources:VGPU"] = "1" });
        var last = cloud.Id("OS_TEST_FLAVOR_NAME");
        await using var h = await PoolHarness.StartAsync(cloud, output);

        var fallbacks = new ConcurrentQueue<(string Reason, string Flavor, string Zone)>();
        using var listener = ListenForFallbacks(h.PoolName, fallbacks);

        // One create at a time, so which server meets which refusal first is fixed.
        using var plugin = await OneCreateAtATimeAsync(h);
        var target = h.Target(("flavor_name", ""), ("flavor_names", $"{quotaBuster}, {noHost}, {last}"));
        await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), target, default);

        var servers = await h.ServersAsync();
        Assert.Equal(2, servers.Count);
        Assert.All(servers, s => Assert.Equal((last, "ACTIVE"), (s.FlavorName, s.Status)));
        // The first server meets the quota, then no valid host; the second already knows both.
        Assert.Equal([("quota", noHost, ""), ("no_valid_host", last, ""), ("quota", last, "")], fallbacks.ToArray());
        var lines = h.Log.Hclog.Where(e => e.Message == "no room for the preferred flavor or zone, falling back").Select(e => e.Pairs).ToList();
        Assert.Equal(fallbacks.ToArray(), lines.Select(p => (p["reason"]!, p["flavor"]!, p["zone"]!)));
        Assert.All(lines, p => Assert.Equal(quotaBuster, p["from_flavor"]));
        Assert.Contains("Quota exceeded for ram", lines[0]["error"], StringComparison.Ordinal);
        Assert.Contains("No valid host", lines[1]["error"], StringComparison.Ordinal);

        await h.WaitForReadyNodesAsync(2);
        var status = (await plugin.GetStatusAsync(target, default))!;
        Assert.Equal(2, status.Count);
        Assert.Equal($"{last}=2", status.Meta["os_nova.flavors"]);
        Assert.Equal("4", status.Meta["os_nova.vcpus"]);
        Assert.Equal("4096", status.Meta["os_nova.ram_mb"]);
        // The meter stays in the plugin's process; the pool's status carries the same counts to the agent.
        var relayed = status.Meta.Where(e => e.Key.StartsWith(TargetStatusMeta.CounterPrefix, StringComparison.Ordinal)).Select(e =>
            (TargetStatusMeta.TryParseCounterKey(e.Key, out var name, out var tags) ? name : e.Key, tags.ToDictionary(), e.Value)).ToList();
        Assert.All(relayed, r => Assert.Equal((OsNovaMetrics.FallbackCountName, h.PoolName), (r.Item1, r.Item2.GetValueOrDefault("pool_name"))));
        Assert.Equal(fallbacks.Order(), relayed.Select(r => (r.Item2["reason"], r.Item2["flavor"], r.Item2["zone"])).Order());
        Assert.All(relayed, r => Assert.Equal("1", r.Value));
    }

    /// <summary>A placement trait only compute-az2 has: flavors requiring it get "No valid host" in az1 and room in
    /// az2. A trait rather than a custom inventory because the fake driver rewrites its host's whole inventory on its
    /// periodic update, while traits set through the placement API are kept by nova-compute.</summary>
    private const string Az2OnlyTrait = "CUSTOM_NA_AZTEST";

    [Fact]
    public async Task A_mixed_flavor_pool_counts_capacity_units_so_a_fallback_twice_as_big_stands_in_for_two_servers()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        // The unit is the preferred flavor's 2 vCPUs and 2 GiB; no host can offer it, so the pool gets the 4-vCPU one.
        var noHost = await EnsureFlavorAsync(cloud, "it-osnova-vgpu", ram: 2048, extraSpecs: new JsonObject { ["resources:VGPU"] = "1" });
        var big = await EnsureFlavorAsync(cloud, "it-osnova-4C-4GB", ram: 4096, extraSpecs: null, vcpus: 4);
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var plugin = await OneCreateAtATimeAsync(h);
        var target = h.Target(("flavor_name", ""), ("flavor_names", $"{noHost}, {big}"));

        // 4 units asked: two servers of 2 units each, not four.
        await plugin.ScaleAsync(new ScalingAction(4, ScalingDirection.Up, "test"), target, default);
        Assert.Equal([big, big], (await h.ServersAsync()).Select(s => s.FlavorName));
        Assert.Single(h.Log.Hclog, e => e.Message == "server went to ERROR, deleting it");
        Assert.Equal(2, h.Log.Hclog.Count(e => e.Message == "bigger servers under way cover the scale-out, not creating another"));
        await h.WaitForReadyNodesAsync(2);
        var status = (await plugin.GetStatusAsync(target, default))!;
        Assert.Equal((4L, "2", "2 vCPUs 2048 MiB", "8"), (status.Count, status.Meta["os_nova.servers"], status.Meta["os_nova.unit"], status.Meta["os_nova.vcpus"]));

        // Down to 2 units: one server goes, the other stays for the 2 units asked.
        await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Down, "test"), target, default);
        Assert.Single(await h.ServersAsync());

        // Down to 1 unit: the last server is worth 2, so removing it would leave less than asked.
        var noOp = await Assert.ThrowsAsync<ScalingNoOpException>(() => plugin.ScaleAsync(new ScalingAction(1, ScalingDirection.Down, "test"), target, default).AsTask());
        Assert.Contains("every removable server is worth more than the 1 capacity units to remove", noOp.Message, StringComparison.Ordinal);
        Assert.Single(await h.ServersAsync());
    }

    /// <summary>One create at a time, so which server meets which refusal first is fixed; nodes mapped by server ID.</summary>
    private static Task<OsNovaPlugin> OneCreateAtATimeAsync(PoolHarness h) => h.PluginAsync(o =>
    {
        o.IdAttribute = "unique.platform.openstack.id";
        o.MaxConcurrentActions = 1;
    });

    private static JsonObject RequiringAz2OnlyTrait() => new() { ["trait:" + Az2OnlyTrait] = "required" };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_no_flavor_has_a_valid_host_in_the_first_zone_the_servers_fall_back_to_the_next_zone(bool evenlySplit)
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await EnsureTraitOnlyOnAsync(cloud, Az2OnlyTrait, on: "compute-az2", notOn: "compute-az1");
        var preferred = await EnsureFlavorAsync(cloud, "it-osnova-az2only-2GB", ram: 2048, extraSpecs: RequiringAz2OnlyTrait());
        var second = await EnsureFlavorAsync(cloud, "it-osnova-az2only-4GB", ram: 4096, extraSpecs: RequiringAz2OnlyTrait());
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var fallbacks = new ConcurrentQueue<(string Reason, string Flavor, string Zone)>();
        using var listener = ListenForFallbacks(h.PoolName, fallbacks);

        // One create at a time, so the second server starts only once the first one has exhausted az1.
        using var plugin = await OneCreateAtATimeAsync(h);
        var target = h.Target(("flavor_name", ""), ("flavor_names", $"{preferred}, {second}"), ("availability_zones", "az1,az2"),
            ("evenly_split_azs", evenlySplit ? "true" : "false"));
        await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), target, default);

        var servers = await h.ServersAsync();
        Assert.Equal(2, servers.Count);
        Assert.All(servers, s => Assert.Equal((preferred, "ACTIVE", "az2"), (s.FlavorName, s.Status, s.AvailabilityZone)));
        // Both flavors fail in az1 before az2 is tried. Without the split both servers start in az1, and the second
        // skips what the first learnt there; with it (empty pool) the second starts in az2 and needs no fallback.
        (string Flavor, string Zone, string Failed)[] expected = evenlySplit
            ? [(second, "az1", preferred), (preferred, "az2", second)]
            : [(second, "az1", preferred), (preferred, "az2", second), (preferred, "az2", preferred)];
        Assert.Equal(expected.Select(e => ("no_valid_host", e.Flavor, e.Zone)), fallbacks.ToArray());
        var lines = h.Log.Hclog.Where(e => e.Message == "no room for the preferred flavor or zone, falling back").Select(e => e.Pairs).ToList();
        Assert.Equal(expected.Select(e => ("no_valid_host", preferred, "az1", e.Flavor, e.Zone)),
            lines.Select(p => (p["reason"]!, p["from_flavor"]!, p["from_zone"]!, p["flavor"]!, p["zone"]!)));
        Assert.Equal(expected.Select(e => $"flavor {e.Failed} in zone az1: No valid host was found. "), lines.Select(p => p["error"]));
        // Nova saw one create per flavor in az1, never a repeat of one known to fail there.
        Assert.Equal(2, h.Log.Hclog.Count(e => e.Message == "server went to ERROR, deleting it"));

        await h.WaitForReadyNodesAsync(2);
        var status = (await plugin.GetStatusAsync(target, default))!;
        Assert.Equal(2, status.Count);
        Assert.Equal($"{preferred}=2", status.Meta["os_nova.flavors"]);
        Assert.Equal("4", status.Meta["os_nova.vcpus"]);
        Assert.Equal("4096", status.Meta["os_nova.ram_mb"]);
    }

    private static MeterListener ListenForFallbacks(string poolName, ConcurrentQueue<(string Reason, string Flavor, string Zone)> fallbacks)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OsNovaMetrics.MeterName && instrument.Name == "os_nova.scale_out.fallback_count") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>(tags.ToArray());
            if ((string?)map["pool_name"] != poolName) return;
            for (var i = 0; i < value; i++) fallbacks.Enqueue(((string)map["reason"]!, (string)map["flavor"]!, (string)map["zone"]!));
        });
        listener.Start();
        return listener;
    }

    /// <summary>Gives the placement resource provider of compute host <paramref name="on"/> the custom trait (creating
    /// the trait if missing), keeping its other traits; idempotent, and safe against a concurrent run or nova-compute
    /// updating the provider (a stale generation is read again). Fails when <paramref name="notOn"/> has the trait, since
    /// the test needs a host without it.</summary>
    private static async Task EnsureTraitOnlyOnAsync(LoopbackCloud cloud, string trait, string on, string notOn)
    {
        using var admin = new OpenStackClient(cloud.Admin);
        // Traits on resource providers need placement microversion 1.6.
        var version = new Dictionary<string, string> { ["OpenStack-API-Version"] = "placement 1.6" };
        await admin.Session.SendAsync("placement", HttpMethod.Put, $"traits/{trait}", headers: version);
        var provider = await ProviderUuidAsync(admin, on, version);
        var other = await ProviderUuidAsync(admin, notOn, version);
        var otherTraits = (await admin.Session.SendAsync("placement", HttpMethod.Get, $"resource_providers/{other}/traits", headers: version))!;
        Assert.DoesNotContain(trait, otherTraits["traits"]!.AsArray().Select(t => (string)t!));

        for (var attempt = 1; ; attempt++)
        {
            var current = (await admin.Session.SendAsync("placement", HttpMethod.Get, $"resource_providers/{provider}/traits", headers: version))!;
            var traits = current["traits"]!.AsArray().Select(t => (string)t!).ToList();
            if (traits.Contains(trait)) return;
            var body = new JsonObject
            {
                ["traits"] = new JsonArray([.. traits.Append(trait).Select(t => (JsonNode)t)]),
                ["resource_provider_generation"] = (long)current["resource_provider_generation"]!,
            };
            try
            {
                await admin.Session.SendAsync("placement", HttpMethod.Put, $"resource_providers/{provider}/traits", body, version);
                return;
            }
            catch (OpenStackApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 10)
            {
                // Someone else changed the provider since it was read.
            }
        }
    }

    private static async Task<string> ProviderUuidAsync(OpenStackClient admin, string host, IReadOnlyDictionary<string, string> version)
    {
        var body = (await admin.Session.SendAsync("placement", HttpMethod.Get, $"resource_providers?name={host}", headers: version))!;
        return (string?)body["resource_providers"]!.AsArray().SingleOrDefault()?["uuid"]
            ?? throw new InvalidOperationException($"placement has no resource provider named {host}");
    }

    /// <summary>Creates (as admin) a public 2-vCPU flavor once, later runs and parallel runs reuse it; its extra specs
    /// are set every time (setting them again changes nothing).</summary>
    private static async Task<string> EnsureFlavorAsync(LoopbackCloud cloud, string name, int ram, JsonObject? extraSpecs, int vcpus = 2)
    {
        using var admin = new OpenStackClient(cloud.Admin);
        var id = await admin.Nova.FindFlavorIdByNameAsync(name);
        if (id is null)
        {
            try
            {
                var body = await admin.Session.SendAsync("compute", HttpMethod.Post, "flavors",
                    new JsonObject { ["flavor"] = new JsonObject { ["name"] = name, ["ram"] = ram, ["vcpus"] = vcpus, ["disk"] = 20 } });
                id = (string)body!["flavor"]!["id"]!;
            }
            catch (OpenStackApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                id = await admin.Nova.FindFlavorIdByNameAsync(name) ?? throw new InvalidOperationException($"flavor {name}: conflict but not found", ex);
            }
        }

        if (extraSpecs is not null)
            await admin.Session.SendAsync("compute", HttpMethod.Post, $"flavors/{id}/os-extra_specs", new JsonObject { ["extra_specs"] = extraSpecs });
        return name;
    }
}
