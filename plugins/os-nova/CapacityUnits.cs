using NomadAutoscaler.OpenStack;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>How a pool is counted. A pool of one flavor counts servers, as upstream does. A pool with several
/// <c>flavor_names</c> mixes sizes, so a count of servers would say little about its capacity: it counts capacity
/// units instead. A unit has the smallest vCPUs and the smallest RAM of the listed flavors, so every server of the
/// pool is worth at least one, and each server is worth the whole units its own flavor holds (vCPUs and RAM as Nova
/// embeds them in the server). The policy's counts, min and max then mean units, and a strategy that sizes the pool by
/// demand stays right when a fallback boots bigger servers.</summary>
internal sealed class CapacityUnits
{
    /// <summary>Counting servers: every server is one.</summary>
    public static readonly CapacityUnits Servers = new(0, 0);

    private CapacityUnits(int unitVcpus, long unitRamMB)
    {
        UnitVcpus = unitVcpus;
        UnitRamMB = unitRamMB;
    }

    /// <summary>vCPUs of one unit (0 when counting servers).</summary>
    public int UnitVcpus { get; }

    /// <summary>RAM (MiB) of one unit (0 when counting servers).</summary>
    public long UnitRamMB { get; }

    /// <summary>True when the pool is counted in units rather than servers.</summary>
    public bool IsCapacity => UnitVcpus > 0 && UnitRamMB > 0;

    /// <summary>Units of the smallest vCPUs and smallest RAM of <paramref name="flavors"/>; when Nova gave no size for
    /// one of them (0), the pool counts servers rather than guess.</summary>
    public static CapacityUnits For(IReadOnlyCollection<Flavor> flavors)
    {
        var vcpus = flavors.Count == 0 ? 0 : flavors.Min(f => f.Vcpus);
        var ram = flavors.Count == 0 ? 0 : flavors.Min(f => f.RamMB);
        return vcpus > 0 && ram > 0 ? new CapacityUnits(vcpus, ram) : Servers;
    }

    /// <summary>Units of a server of this flavor.</summary>
    public int Of(int vcpus, long ramMB)
    {
        // A server whose size Nova did not embed (old microversion), or one of a flavor no longer listed that is smaller
        // than a unit, still counts as one server.
        if (!IsCapacity || vcpus <= 0 || ramMB <= 0) return 1;
        return (int)Math.Max(1, Math.Min(vcpus / UnitVcpus, ramMB / UnitRamMB));
    }

    /// <summary>The unit's size, for the status meta and for sizing demand queries alike.</summary>
    public override string ToString() => IsCapacity ? $"{UnitVcpus} vCPUs {UnitRamMB} MiB" : "server";

    /// <summary>What a count counts, for messages.</summary>
    public string Noun => IsCapacity ? "capacity units" : "servers";

    /// <summary>Units of a server.</summary>
    public int Of(NovaServer server) => Of(server.Vcpus, server.RamMB);

    /// <summary>Units of a new server of a flavor.</summary>
    public int Of(Flavor flavor) => Of(flavor.Vcpus, flavor.RamMB);

    /// <summary>Units of servers.</summary>
    public long Sum(IEnumerable<NovaServer> servers) => servers.Sum(s => (long)Of(s));
}
