namespace NomadAutoscaler.Core.Policy;

/// <summary>Expands short nomad-apm queries (<c>avg_cpu</c>, <c>percentage-allocated_cpu</c>) into the full form the
/// plugin understands, from the policy's target: a job target gives <c>taskgroup_&lt;query&gt;/&lt;group&gt;/&lt;job&gt;@&lt;namespace&gt;</c>,
/// a node-pool target <c>node_&lt;query&gt;/&lt;key&gt;=&lt;value&gt;,...</c> over <c>node_class</c>, <c>datacenter</c> and
/// <c>node_pool</c>.</summary>
public static class NomadApmQueries
{
    private static readonly string[] PoolKeys = ["node_class", "datacenter", "node_pool"];

    /// <summary>True for the <c>operation_metric</c> short form.</summary>
    public static bool IsShort(string query) => query.Contains('_', StringComparison.Ordinal) && !query.Contains('/', StringComparison.Ordinal);

    /// <summary>True when the target names a node pool rather than a job's task group.</summary>
    public static bool IsNodePoolTarget(IReadOnlyDictionary<string, string> target)
        => !(target.ContainsKey("Job") && target.ContainsKey("Group")) && PoolKeys.Any(target.ContainsKey);

    /// <summary>Expands <paramref name="query"/> when it is short; returns it unchanged otherwise.</summary>
    public static string Expand(string query, IReadOnlyDictionary<string, string> target)
    {
        if (!IsShort(query)) return query;
        if (target.TryGetValue("Job", out var job) && target.TryGetValue("Group", out var group))
        {
            var ns = target.TryGetValue("Namespace", out var n) && n.Length > 0 ? n : "default";
            return $"taskgroup_{query}/{group}/{job}@{ns}";
        }

        var pairs = PoolKeys
            .Where(k => target.TryGetValue(k, out var v) && v.Length > 0)
            .Select(k => $"{k}={Uri.EscapeDataString(target[k])}")
            .ToList();
        return pairs.Count == 0 ? query : $"node_{query}/{string.Join(',', pairs)}";
    }
}
