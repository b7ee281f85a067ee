using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Reads <c>nomad_autoscaler.do_not_disrupt</c> from node meta and from the jobs of a node's live
/// allocations. A value that is neither a boolean nor (on a job) a duration protects the node: a typo must not
/// cost work.</summary>
internal static class DoNotDisrupt
{
    /// <summary>Why the node must stay, or null when nothing protects it.</summary>
    /// <param name="node">The node.</param>
    /// <param name="allocations">Its allocations.</param>
    /// <param name="now">The time against which a duration is measured from each allocation's creation.</param>
    public static string? Reason(Node node, IEnumerable<Allocation> allocations, DateTimeOffset now)
    {
        if (node.Meta?.GetValueOrDefault(ClusterConfigKeys.DoNotDisrupt) is { Length: > 0 } nodeValue)
        {
            if (!GoValues.TryParseBool(nodeValue.Trim(), out var protect))
                return $"node {node.ID} has node meta {ClusterConfigKeys.DoNotDisrupt}=\"{nodeValue}\", which is not true or false; treated as true";
            if (protect) return $"node {node.ID} has node meta {ClusterConfigKeys.DoNotDisrupt}=true";
        }

        foreach (var allocation in allocations.Where(a => !a.IsTerminal))
        {
            if (allocation.Job?.Meta?.GetValueOrDefault(ClusterConfigKeys.DoNotDisrupt) is not { Length: > 0 } value) continue;
            var text = value.Trim();
            if (GoValues.TryParseBool(text, out var protect))
            {
                if (protect) return $"job {allocation.JobID} on node {node.ID} has {ClusterConfigKeys.DoNotDisrupt}=true";
                continue;
            }

            if (!GoDuration.TryParse(text, out var duration))
                return $"job {allocation.JobID} on node {node.ID} has {ClusterConfigKeys.DoNotDisrupt}=\"{value}\", which is neither a boolean nor a duration; treated as true";
            var until = DateTimeOffset.UnixEpoch.AddTicks(allocation.CreateTime / 100) + duration;
            if (now < until) return $"job {allocation.JobID} on node {node.ID} has {ClusterConfigKeys.DoNotDisrupt}={text} until {until.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}";
        }

        return null;
    }
}
