namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Spreads new servers over availability zones so that the pool ends as even as possible.</summary>
internal static class AzBalancer
{
    /// <summary>Zones for new servers without <c>evenly_split_azs</c>: all go to the first listed zone. Upstream ignored
    /// the list then and let Nova choose, so the mission's <c>availability_zones = "az1"</c> (split commented out) put
    /// servers in whatever zone Nova picked.</summary>
    /// <returns>One zone per new server; empty names when <paramref name="zones"/> is empty (Nova chooses).</returns>
    public static IReadOnlyList<string?> Pinned(IReadOnlyList<string> zones, int count) =>
        Enumerable.Repeat(zones.Count > 0 ? zones[0] : null, count).ToList();

    /// <summary>Each new server goes to the zone with the fewest servers at that moment (ties: list order).
    /// Zones outside <paramref name="zones"/> are ignored.</summary>
    /// <param name="zones">The zones to use, in preference order.</param>
    /// <param name="current">Current servers per zone.</param>
    /// <param name="count">New servers.</param>
    /// <returns>One zone per new server; empty names when <paramref name="zones"/> is empty (Nova chooses).</returns>
    public static IReadOnlyList<string?> Assign(IReadOnlyList<string> zones, IReadOnlyDictionary<string, int> current, int count)
    {
        if (zones.Count == 0) return Enumerable.Repeat<string?>(null, count).ToList();
        var counts = zones.Distinct(StringComparer.Ordinal).ToDictionary(z => z, z => current.GetValueOrDefault(z), StringComparer.Ordinal);
        var ordered = counts.Keys.ToList();
        var result = new List<string?>(count);
        for (var i = 0; i < count; i++)
        {
            var zone = ordered[0];
            foreach (var candidate in ordered)
            {
                if (counts[candidate] < counts[zone]) zone = candidate;
            }

            counts[zone]++;
            result.Add(zone);
        }

        return result;
    }
}
