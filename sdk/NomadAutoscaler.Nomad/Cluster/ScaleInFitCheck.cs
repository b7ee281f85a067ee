using System.Text.RegularExpressions;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>A node as the scale-down simulation sees it: the node and its allocations.</summary>
internal sealed record FitNode(Node Node, IReadOnlyList<Allocation> Allocations)
{
    public string Id => Node.ID;

    /// <summary>New work may land here: ready, eligible and not draining.</summary>
    public bool Schedulable => Node.Status == "ready" && Node.SchedulingEligibility == "eligible" && !Node.Drain && Node.DrainStrategy is null;

    /// <summary>Allocations that need a new home when the node goes: live, and not of a system or sysbatch job
    /// (those run per node and leave with it).</summary>
    public IEnumerable<Allocation> Movable => Allocations.Where(a => !a.IsTerminal && a.Job?.Type is not ("system" or "sysbatch"));
}

/// <summary>The scale-down simulation: a candidate may go only if its movable allocations can be placed on the
/// nodes that stay schedulable after the whole step, checking CPU, memory, node pool, datacenter, the constraint
/// operators the Nomad simulator implements, and <c>distinct_hosts</c>.</summary>
internal static class ScaleInFitCheck
{
    /// <summary>Accepts candidates in order until <paramref name="count"/> are accepted. Allocations moved off an
    /// accepted candidate occupy their simulated new homes for the candidates after it; an accepted candidate is never
    /// a home.</summary>
    /// <param name="candidates">Candidates in the strategy's order.</param>
    /// <param name="cluster">Every node of the cluster (candidates included) with its allocations.</param>
    /// <param name="count">How many to accept at most.</param>
    /// <returns>The accepted node IDs in order, and for each rejected candidate why.</returns>
    public static (IReadOnlyList<string> Accepted, IReadOnlyList<string> Rejections) Plan(IReadOnlyList<FitNode> candidates, IReadOnlyList<FitNode> cluster, int count)
    {
        var homes = cluster.Where(n => n.Schedulable).ToDictionary(n => n.Id, Home.From, StringComparer.Ordinal);
        var accepted = new List<string>();
        var rejections = new List<string>();
        foreach (var candidate in candidates)
        {
            if (accepted.Count >= count) break;
            var trial = homes.Where(h => h.Key != candidate.Id).ToDictionary(h => h.Key, h => h.Value.Clone(), StringComparer.Ordinal);
            // Work simulated onto this candidate for an earlier one must move again.
            var toMove = candidate.Movable.Concat(homes.TryGetValue(candidate.Id, out var self) ? self.MovedIn : [])
                .OrderByDescending(a => a.Resources?.CPU ?? 0).ThenByDescending(a => a.Resources?.MemoryMB ?? 0).ToList();
            var stuck = toMove.FirstOrDefault(a => !TryPlace(a, trial.Values));
            if (stuck is null)
            {
                homes = trial;
                accepted.Add(candidate.Id);
            }
            else
            {
                rejections.Add($"allocations of job {stuck.JobID} on node {candidate.Id} fit nowhere else");
            }
        }

        return (accepted, rejections);
    }

    /// <summary>Best fit as the scheduler does it: the feasible home with the least CPU left, then memory.</summary>
    private static bool TryPlace(Allocation allocation, IEnumerable<Home> homes)
    {
        var cpu = allocation.Resources?.CPU ?? 0;
        var memory = allocation.Resources?.MemoryMB ?? 0;
        Home? best = null;
        foreach (var home in homes)
        {
            if (home.Cpu < cpu || home.Memory < memory || !Feasible(allocation, home)) continue;
            if (best is null || home.Cpu < best.Cpu || (home.Cpu == best.Cpu && home.Memory < best.Memory)) best = home;
        }

        if (best is null) return false;
        best.Add(allocation);
        best.MovedIn.Add(allocation);
        return true;
    }

    private static bool Feasible(Allocation allocation, Home home)
    {
        var job = allocation.Job;
        if (job is null) return false;
        var node = home.Node;
        // An empty pool is a Nomad older than node pools, where every node qualifies.
        if (job.NodePool is not ("" or "all") && node.NodePool != "" && job.NodePool != node.NodePool) return false;
        if (job.Datacenters is { Count: > 0 } datacenters && !datacenters.Any(dc => GlobMatch(dc, node.Datacenter))) return false;
        var group = job.TaskGroups?.FirstOrDefault(g => g.Name == allocation.TaskGroup);
        if (Violates(job.Constraints, allocation, home, groupLevel: false)) return false;
        if (Violates(group?.Constraints, allocation, home, groupLevel: true)) return false;
        return !(group?.Tasks ?? []).Any(t => Violates(t.Constraints, allocation, home, groupLevel: true));
    }

    private static bool Violates(IReadOnlyList<Constraint>? constraints, Allocation allocation, Home home, bool groupLevel)
        => constraints is not null && constraints.Any(c => !Holds(c, allocation, home, groupLevel));

    private static bool Holds(Constraint constraint, Allocation allocation, Home home, bool groupLevel)
    {
        if (constraint.Operand == "distinct_hosts")
        {
            if (constraint.RTarget is not ("" or "true")) return true;
            return !home.Present.Any(p => p.Namespace == allocation.Namespace && p.JobId == allocation.JobID && (!groupLevel || p.Group == allocation.TaskGroup));
        }

        var left = Interpolate(constraint.LTarget, home.Node);
        var right = Interpolate(constraint.RTarget, home.Node);
        return constraint.Operand switch
        {
            "" or "=" or "==" or "is" => left is not null && left == right,
            "!=" or "not" => left != right,
            "is_set" => left is not null,
            "is_not_set" => left is null,
            "regexp" => left is not null && right is not null && Regex.IsMatch(left, right, RegexOptions.None, TimeSpan.FromSeconds(1)),
            "set_contains" or "set_contains_all" => left is not null && right is not null && Split(right).All(r => Split(left).Contains(r)),
            "set_contains_any" => left is not null && right is not null && Split(right).Any(r => Split(left).Contains(r)),
            // version, semver, distinct_property and the like are not simulated: they count as satisfied.
            _ => true,
        };
    }

    private static string[] Split(string value) => value.Split(',', StringSplitOptions.TrimEntries);

    private static string? Interpolate(string target, Node node)
    {
        if (!target.StartsWith("${", StringComparison.Ordinal) || !target.EndsWith('}')) return target;
        var name = target[2..^1];
        return name switch
        {
            "node.class" => node.NodeClass,
            "node.datacenter" => node.Datacenter,
            "node.pool" => node.NodePool,
            "node.unique.id" => node.ID,
            "node.unique.name" => node.Name,
            _ when name.StartsWith("attr.", StringComparison.Ordinal) => node.Attributes?.GetValueOrDefault(name[5..]),
            _ when name.StartsWith("meta.", StringComparison.Ordinal) => node.Meta?.GetValueOrDefault(name[5..]),
            _ => null,
        };
    }

    private static bool GlobMatch(string pattern, string value)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal)) return pattern == value;
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, RegexOptions.None, TimeSpan.FromSeconds(1));
    }

    /// <summary>A node that stays, with what is left of it in the simulation.</summary>
    private sealed class Home
    {
        public required Node Node { get; init; }

        public long Cpu { get; set; }

        public long Memory { get; set; }

        public List<(string Namespace, string JobId, string Group)> Present { get; init; } = [];

        public List<Allocation> MovedIn { get; init; } = [];

        public static Home From(FitNode node)
        {
            var live = node.Allocations.Where(a => !a.IsTerminal).ToList();
            var home = new Home
            {
                Node = node.Node,
                Cpu = (node.Node.NodeResources?.Cpu?.CpuShares ?? 0) - (node.Node.ReservedResources?.Cpu?.CpuShares ?? 0),
                Memory = (node.Node.NodeResources?.Memory?.MemoryMB ?? 0) - (node.Node.ReservedResources?.Memory?.MemoryMB ?? 0),
            };
            foreach (var allocation in live) home.Add(allocation);
            return home;
        }

        public void Add(Allocation allocation)
        {
            Cpu -= allocation.Resources?.CPU ?? 0;
            Memory -= allocation.Resources?.MemoryMB ?? 0;
            Present.Add((allocation.Namespace, allocation.JobID, allocation.TaskGroup));
        }

        public Home Clone() => new() { Node = Node, Cpu = Cpu, Memory = Memory, Present = [.. Present], MovedIn = [.. MovedIn] };
    }
}
