using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.OpenStack.Tests;

public sealed class ScaleLogicTests
{
    [Fact]
    public void AzBalancer_FillsTheEmptiestZoneFirst_AsUpstreamExample()
    {
        var zones = AzBalancer.Assign(["AZ1", "AZ2", "AZ3"], new Dictionary<string, int> { ["AZ1"] = 5, ["AZ2"] = 1, ["AZ3"] = 3 }, 5);
        Assert.Equal(["AZ2", "AZ2", "AZ2", "AZ3", "AZ2"], zones);
    }

    [Fact]
    public void AzBalancer_SplitsEvenly_AndIgnoresUnlistedZones()
    {
        var zones = AzBalancer.Assign(["az1", "az2"], new Dictionary<string, int> { ["az1"] = 1, ["other"] = 7 }, 3);
        Assert.Equal(["az2", "az1", "az2"], zones);
        Assert.All(AzBalancer.Assign([], new Dictionary<string, int>(), 2), Assert.Null);
    }

    [Fact]
    public void AzBalancer_WithoutEvenSplit_PinsEveryNewServerToTheFirstListedZone()
    {
        Assert.Equal(["az1", "az1", "az1"], AzBalancer.Pinned(["az1", "az2"], 3));
        Assert.All(AzBalancer.Pinned([], 2), Assert.Null);
    }

    [Fact]
    public void AzBalancer_ScaleInTakesFromTheLargestZone_BestRankedFirst()
    {
        // Ranked: az2's node first, then three az1 nodes; zones 3/1 → both removals come from az1, in rank order.
        Assert.Equal([1, 2], AzBalancer.ChooseForScaleIn(["az2", "az1", "az1", "az1"], new Dictionary<string, int> { ["az1"] = 3, ["az2"] = 1 }, 2));
        // Even zones: the best-ranked node goes first, then the other zone's best.
        Assert.Equal([0, 2], AzBalancer.ChooseForScaleIn(["az1", "az1", "az2", "az2"], new Dictionary<string, int> { ["az1"] = 2, ["az2"] = 2 }, 2));
        // Only az1 candidates are removable (the fit check kept the others): fewer zones to choose from, never more nodes.
        Assert.Equal([0], AzBalancer.ChooseForScaleIn(["az1"], new Dictionary<string, int> { ["az1"] = 1, ["az2"] = 3 }, 2));
    }

    [Fact]
    public void Template_RejectsUnsupportedActions_NamingTheLine()
    {
        var error = Assert.Throws<FormatException>(() => UserDataTemplate.Parse("a\nb\n{{ range .Items }}"));
        Assert.StartsWith("line 3: unsupported action {{range .Items}}", error.Message);
    }

    [Fact]
    public void Template_Renders()
    {
        var template = UserDataTemplate.Parse("name={{.Name}} az={{ .AZ }}\n  {{- .PoolName -}}  \n!");
        var text = template.Render(new Dictionary<string, string> { ["Name"] = "w-1", ["AZ"] = "az2", ["PoolName"] = "pool" });
        Assert.Equal("name=w-1 az=az2pool!", text);
        Assert.Equal(Convert.ToBase64String("hello"u8.ToArray()), UserDataTemplate.ToUserData("hello"));
        Assert.Equal("aGVsbG8=", UserDataTemplate.ToUserData("aGVsbG8="));
    }

    [Fact]
    public void Snapshot_CountsHealthyServers_AndSettlesWithoutTransitions()
    {
        static NovaServer S(string id, string status, string? task = null) => new(id, id, status, "az1", [], new Dictionary<string, string>()) { TaskState = task };
        var snapshot = PoolSnapshot.From([S("a", "ACTIVE"), S("b", "ERROR"), S("c", "SHUTOFF"), S("d", "ACTIVE", "deleting"), S("e", "SUSPENDED")],
            new HashSet<string> { "SUSPENDED" });
        Assert.Equal(["a", "c"], snapshot.Counted.Select(s => s.Id));
        Assert.Equal("b", Assert.Single(snapshot.Failed).Id);
        Assert.Equal("d", Assert.Single(snapshot.Deleting).Id);
        Assert.Equal("e", Assert.Single(snapshot.Ignored).Id);
        Assert.True(snapshot.Settled);
        Assert.False(PoolSnapshot.From([S("a", "BUILD")], new HashSet<string>()).Settled);
    }

    [Fact]
    public void Fallbacks_are_counted_on_the_meter_and_relayed_as_each_pools_totals_in_its_own_status_meta()
    {
        var pool = "relay-" + Guid.NewGuid().ToString("N");
        var measured = new ConcurrentQueue<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OsNovaMetrics.MeterName && instrument.Name == OsNovaMetrics.FallbackCountName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "pool_name" && (string?)tag.Value == pool) measured.Enqueue(value);
            }
        });
        listener.Start();
        var totals = new FallbackTotals();

        totals.Add(pool, "quota", "m1.large", "az 1");
        totals.Add(pool, "quota", "m1.large", "az 1");
        totals.Add(pool, "no_valid_host", "m1.small", "");
        totals.Add(pool + "-other", "quota", "m1.large", "az 1");
        var meta = new Dictionary<string, string> { ["os_nova.flavors"] = "m1.small=1" };
        totals.WriteTo(pool, meta);

        Assert.Equal([1L, 1L, 1L], measured);
        Assert.Equal(new Dictionary<string, string>
        {
            ["os_nova.flavors"] = "m1.small=1",
            [$"nomad_autoscaler.counter.os_nova.scale_out.fallback_count;flavor=m1.large;pool_name={pool};reason=quota;zone=az%201"] = "2",
            [TargetStatusMeta.CounterKey("os_nova.scale_out.fallback_count", ("pool_name", pool), ("reason", "no_valid_host"), ("flavor", "m1.small"), ("zone", ""))] = "1",
        }, meta);
    }

    [Fact]
    public void Fallback_totals_lose_no_count_when_creates_fall_back_concurrently()
    {
        var totals = new FallbackTotals();

        Parallel.For(0, 2000, i => totals.Add("web", i % 2 == 0 ? "quota" : "no_valid_host", "m1.large", "az1"));

        var meta = new Dictionary<string, string>();
        totals.WriteTo("web", meta);
        Assert.Equal(["1000", "1000"], meta.Values);
    }
}
