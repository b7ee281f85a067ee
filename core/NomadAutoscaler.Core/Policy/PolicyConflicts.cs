namespace NomadAutoscaler.Core.Policy;

/// <summary>
/// Two policies that drive the same target take turns overriding each other's decisions (upstream #187: a job's
/// <c>scaling</c> block and a file policy for the same group). The agent runs the first and refuses the later one;
/// <c>validate</c> reports the same. docs/policies.md lists what counts as the same target.
/// </summary>
public static class PolicyConflicts
{
    /// <summary>The cluster target keys that choose the Nomad nodes a policy counts and drains, and os-nova's
    /// <c>pool_name</c>, which chooses its servers.</summary>
    private static readonly string[] PoolKeys = ["node_class", "datacenter", "node_pool", "pool_name"];

    /// <summary>What the policy drives, as text that is equal for two policies exactly when they conflict; null
    /// when the policy drives nothing another policy could (a dry run, a target that is not a task group or pool).</summary>
    public static string? TargetKey(ScalingPolicy policy)
    {
        var config = policy.Target.Config;
        if (policy.Target.DryRun) return null;
        if (config.TryGetValue("Job", out var job) && config.TryGetValue("Group", out var group))
        {
            // Whichever target plugin a policy names, Nomad has one count for a task group.
            var ns = config.TryGetValue("Namespace", out var n) && !string.IsNullOrWhiteSpace(n) ? n.Trim() : "default";
            return $"task group \"{group.Trim()}\" of job \"{job.Trim()}\" in namespace \"{ns}\"";
        }

        if (policy.Type != PolicyTypes.Cluster) return null;
        var selection = PoolKeys
            .Select(k => (Key: k, Value: config.TryGetValue(k, out var v) ? v.Trim() : ""))
            .Where(kv => kv.Value.Length > 0)
            .Select(kv => $"{kv.Key}=\"{kv.Value}\"");
        var text = string.Join(" ", selection);
        return $"target \"{policy.Target.Name}\" pool ({(text.Length == 0 ? "every node" : text)})";
    }

    /// <summary>Where the policy came from, for an operator to find it: its file and label, or its Nomad job.</summary>
    public static string Describe(ScalingPolicy policy)
    {
        if (policy.FilePath is { } file) return $"policy \"{policy.Name}\" in {file}";
        var config = policy.Target.Config;
        if (policy.Source == "nomad" && config.TryGetValue("Job", out var job) && config.TryGetValue("Group", out var group))
        {
            var ns = config.TryGetValue("Namespace", out var n) && n.Length > 0 ? n : "default";
            return $"the scaling block of job \"{job}\" group \"{group}\" in namespace \"{ns}\" (Nomad policy {policy.Id})";
        }

        return $"{policy.Source} policy \"{policy.Name}\" ({policy.Id})";
    }

    /// <summary>The refusal of <paramref name="later"/>, naming both sources.</summary>
    public static string Message(ScalingPolicy later, ScalingPolicy first, string target)
        => $"{Describe(later)} drives the same {target} as {Describe(first)}, which was loaded first; " +
           $"it is refused: remove or disable one of them";

    /// <summary>Each policy of <paramref name="policies"/>, in order, that drives the target of an earlier one, with
    /// the one it conflicts with and the refusal. Disabled policies never run, so they never conflict.</summary>
    public static IReadOnlyList<(ScalingPolicy Later, ScalingPolicy First, string Error)> Find(IEnumerable<ScalingPolicy> policies)
    {
        var claimed = new Dictionary<string, ScalingPolicy>(StringComparer.Ordinal);
        var conflicts = new List<(ScalingPolicy, ScalingPolicy, string)>();
        foreach (var policy in policies.Where(p => p.Enabled))
        {
            if (TargetKey(policy) is not { } key) continue;
            if (claimed.TryGetValue(key, out var first) && first.Id != policy.Id) conflicts.Add((policy, first, Message(policy, first, key)));
            else claimed[key] = policy;
        }

        return conflicts;
    }
}
