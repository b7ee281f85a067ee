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

        var fallbacks = new ConcurrentQueue<(string Reason, string Flavor)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OsNovaMetrics.MeterName && instrument.Name == "os_nova.scale_out.fallback_count") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>(tags.ToArray());
            if ((string?)map["pool_name"] != h.PoolName) return;
            for (var i = 0; i < value; i++) fallbacks.Enqueue(((string)map["reason"]!, (string)map["flavor"]!));
        });
        listener.Start();

        // One create at a time, so which server meets which refusal first is fixed.
        using var plugin = await h.PluginAsync(o =>
        {
            o.IdAttribute = "unique.platform.openstack.id";
            o.MaxConcurrentActions = 1;
        });
        var target = h.Target(("flavor_name", ""), ("flavor_names", $"{quotaBuster}, {noHost}, {last}"));
        await plugin.ScaleAsync(new ScalingAction(2, ScalingDirection.Up, "test"), target, default);

        var servers = await h.ServersAsync();
        Assert.Equal(2, servers.Count);
        Assert.All(servers, s => Assert.Equal((last, "ACTIVE"), (s.FlavorName, s.Status)));
        // The first server meets the quota, then no valid host; the second already knows both.
        Assert.Equal([("quota", noHost), ("no_valid_host", last), ("quota", last)], fallbacks.ToArray());
        var lines = h.Log.Hclog.Where(e => e.Message == "no room for the preferred flavor or zone, falling back").Select(e => e.Pairs).ToList();
        Assert.Equal(fallbacks.ToArray(), lines.Select(p => (p["reason"]!, p["flavor"]!)));
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
        Assert.Equal(fallbacks.Order(), relayed.Select(r => (r.Item2["reason"], r.Item2["flavor"])).Order());
        Assert.All(relayed, r => Assert.Equal("1", r.Value));
    }

    /// <summary>Creates (as admin) a public 2-vCPU flavor once, later runs and parallel runs reuse it; its extra specs
    /// are set every time (setting them again changes nothing).</summary>
    private static async Task<string> EnsureFlavorAsync(LoopbackCloud cloud, string name, int ram, JsonObject? extraSpecs)
    {
        using var admin = new OpenStackClient(cloud.Admin);
        var id = await admin.Nova.FindFlavorIdByNameAsync(name);
        if (id is null)
        {
            try
            {
                var body = await admin.Session.SendAsync("compute", HttpMethod.Post, "flavors",
                    new JsonObject { ["flavor"] = new JsonObject { ["name"] = name, ["ram"] = ram, ["vcpus"] = 2, ["disk"] = 20 } });
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
