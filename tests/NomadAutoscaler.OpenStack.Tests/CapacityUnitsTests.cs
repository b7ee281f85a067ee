using NomadAutoscaler.Plugins.OsNova;

namespace NomadAutoscaler.OpenStack.Tests;

public sealed class CapacityUnitsTests
{
    private static NovaServer Server(int vcpus, long ramMB) => new("id", "n", "ACTIVE", "az1", [], new Dictionary<string, string>()) { Vcpus = vcpus, RamMB = ramMB };

    [Theory]
    [InlineData(2, 2048, 1)]
    [InlineData(4, 4096, 2)]
    [InlineData(4, 8192, 2)]   // the scarcer resource decides
    [InlineData(8, 4096, 2)]
    [InlineData(3, 4096, 1)]   // 1.5 units of CPU is one whole unit
    [InlineData(1, 1024, 1)]   // smaller than a unit still counts as one server
    [InlineData(0, 0, 1)]      // size not embedded (old microversion): one server
    public void A_server_is_worth_the_whole_units_its_flavor_holds(int vcpus, long ramMB, int expected)
    {
        var units = CapacityUnits.For([new Flavor("2C-2GB", "f1", 2, 2048), new Flavor("4C-4GB", "f2", 4, 4096)]);
        Assert.True(units.IsCapacity);
        Assert.Equal(expected, units.Of(Server(vcpus, ramMB)));
        Assert.Equal(expected, units.Of(new Flavor("x", "f2", vcpus, ramMB)));
    }

    [Fact]
    public void The_unit_takes_the_smallest_vcpus_and_the_smallest_ram_so_every_listed_flavor_is_worth_one_or_more()
    {
        // Neither flavor is smaller in both: each is one unit of (2 vCPUs, 4 GiB), not a fraction of the other.
        var units = CapacityUnits.For([new Flavor("2C-8GB", "f1", 2, 8192), new Flavor("4C-4GB", "f2", 4, 4096)]);
        Assert.Equal("2 vCPUs 4096 MiB", units.ToString());
        Assert.Equal(1, units.Of(new Flavor("2C-8GB", "f1", 2, 8192)));
        Assert.Equal(1, units.Of(new Flavor("4C-4GB", "f2", 4, 4096)));
        Assert.Equal(2, units.Of(new Flavor("4C-8GB", "f3", 4, 8192)));
    }

    [Fact]
    public void A_pool_of_one_flavor_counts_servers()
    {
        Assert.False(CapacityUnits.Servers.IsCapacity);
        Assert.Equal(3, CapacityUnits.Servers.Sum([Server(2, 2048), Server(8, 16384), Server(1, 512)]));
        Assert.Equal("servers", CapacityUnits.Servers.Noun);
        // A unit flavor Nova gave no size for cannot be a unit: the pool counts servers rather than guess.
        Assert.False(CapacityUnits.For([new Flavor("2C-2GB", "f1", 2, 2048), new Flavor("odd", "f", 0, 2048)]).IsCapacity);
    }

    [Fact]
    public void A_mixed_pool_sums_each_servers_units()
    {
        var units = CapacityUnits.For([new Flavor("4C-4GB", "f2", 4, 4096), new Flavor("2C-2GB", "f1", 2, 2048)]);
        Assert.Equal("2 vCPUs 2048 MiB", units.ToString());
        Assert.Equal(1 + 2 + 2, units.Sum([Server(2, 2048), Server(4, 4096), Server(4, 4096)]));
        Assert.Equal("capacity units", units.Noun);
    }
}
