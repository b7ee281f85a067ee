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

    /// <summary>Scale-in with <c>evenly_split_azs</c>: each removal comes from the zone that has the most servers at
    /// that moment (ties: the zone whose best candidate ranks first), taking that zone's best-ranked candidate.</summary>
    /// <param name="candidates">Removable candidates in the strategy's order, with their zone.</param>
    /// <param name="current">Current servers per zone.</param>
    /// <param name="count">How many to remove.</param>
    /// <returns>The chosen candidates' indexes, in removal order.</returns>
    public static IReadOnlyList<int> ChooseForScaleIn(IReadOnlyList<string> candidates, IReadOnlyDictionary<string, int> current, int count)
    {
        var counts = new Dictionary<string, int>(current, StringComparer.Ordinal);
        var left = Enumerable.Range(0, candidates.Count).ToList();
        var result = new List<int>(count);
        while (result.Count < count && left.Count > 0)
        {
            var pick = left[0];
            foreach (var index in left)
            {
                if (counts.GetValueOrDefault(candidates[index]) > counts.GetValueOrDefault(candidates[pick])) pick = index;
            }

            counts[candidates[pick]] = counts.GetValueOrDefault(candidates[pick]) - 1;
            left.Remove(pick);
            result.Add(pick);
        }

        return result;
    }
}
