using System.Globalization;
using NomadAutoscaler.Nomad.Cluster;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>Parses nomad-apm queries with upstream's error texts (all prefixed <c>failed to parse query: </c>).</summary>
internal static class ApmQueryParser
{
    public const string PercentageAllocated = "percentage-allocated";
    public const string RequiredNodes = "required-nodes";
    public const string PendingAllocations = "pending-allocations";
    public const string DesiredNodes = "desired-nodes";

    private static readonly string[] TaskGroupOperations = ["sum", "avg", "min", "max"];
    private static readonly string[] TaskGroupMetrics = ["cpu", "cpu-allocated", "memory", "memory-allocated"];

    public static ParsedQuery Parse(string query)
    {
        var type = query.Split('_', 2)[0];
        return type switch
        {
            "taskgroup" => ParseTaskGroup(query),
            "node" => ParseNodePool(query),
            _ => throw new NomadApmException($"unsupported query type \"{type}\""),
        };
    }

    private static NomadApmException Fail(string message) => new("failed to parse query: " + message);

    private static TaskGroupQuery ParseTaskGroup(string query)
    {
        var parts = query.Split('/');
        if (parts.Length != 3) throw Fail($"expected <query>/<group>/<job>@<namespace>, received {query}");
        var at = parts[2].LastIndexOf('@');
        if (at < 0 || at == parts[2].Length - 1) throw Fail($"missing namespace from query {query}");
        if (at == 0) throw Fail($"missing job from query {query}");
        var job = parts[2][..at];
        var ns = parts[2][(at + 1)..];

        var prefix = parts[0].Split('_');
        if (prefix.Length != 3) throw Fail($"expected taskgroup_<operation>_<metric>, received \"{parts[0]}\"");
        var (operation, metric) = (prefix[1], prefix[2]);
        if (!TaskGroupMetrics.Contains(metric))
            throw Fail($"invalid metric \"{metric}\", allowed values are: cpu, cpu-allocated, memory, memory-allocated");
        if (!TaskGroupOperations.Contains(operation))
            throw Fail($"invalid operation \"{operation}\", allowed values are sum, avg, min or max");
        return new TaskGroupQuery(query, operation, metric, parts[1], job, ns);
    }

    private static NodePoolQuery ParseNodePool(string query)
    {
        var parts = query.Split('/');
        string? nodeClass = null, datacenter = null, nodePool = null;
        long? nodeCpu = null, nodeMemory = null;
        var nodeUnits = false;
        var prefixText = parts[0];
        var operationText = prefixText.Split('_') is { Length: 3 } p ? p[1] : null;
        var isDemand = operationText is RequiredNodes or DesiredNodes or PendingAllocations;

        if (parts.Length == 3 && parts[2] == "class")
        {
            // Released versions up to v0.5.0 wrote node_<op>_<metric>/<class>/class.
            nodeClass = parts[1];
        }
        else if (parts.Length == 2 && parts[1].Length > 0)
        {
            foreach (var pair in parts[1].Split(','))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw Fail($"invalid pool identifier \"{pair}\": expected key=value");
                var key = pair[..eq];
                var value = Uri.UnescapeDataString(pair[(eq + 1)..]);
                switch (key)
                {
                    case ClusterConfigKeys.NodeClass: nodeClass = value; break;
                    case ClusterConfigKeys.Datacenter: datacenter = value; break;
                    case ClusterConfigKeys.NodePool: nodePool = value; break;
                    case "node_cpu" when isDemand: nodeCpu = ParseCapacity(key, value); break;
                    case "node_memory" when isDemand: nodeMemory = ParseCapacity(key, value); break;
                    case "node_units" when operationText is RequiredNodes or DesiredNodes:
                        nodeUnits = bool.TryParse(value, out var units) ? units : throw Fail($"invalid node_units \"{value}\": must be true or false");
                        break;
                    default: throw Fail($"unknown pool key \"{key}\": must be node_class, datacenter, or node_pool");
                }
            }
        }
        else
        {
            throw Fail($"expected <query>/<key>=<value>[,<key>=<value>...], received \"{query}\"");
        }

        var prefix = prefixText.Split('_');
        if (prefix.Length != 3) throw Fail($"expected node_<operation>_<metric>, received {prefixText}");
        var (operation, metric) = (prefix[1], prefix[2]);
        switch (operation)
        {
            case PercentageAllocated:
                if (metric is not ("cpu" or "memory")) throw Fail($"invalid metric \"{metric}\", allowed values are cpu or memory");
                break;
            case RequiredNodes or DesiredNodes:
                if (metric is not ("cpu" or "memory" or "resources")) throw Fail($"invalid metric \"{metric}\", allowed values are cpu, memory or resources");
                break;
            case PendingAllocations:
                if (metric is not "count") throw Fail($"invalid metric \"{metric}\", allowed value is count");
                break;
            default:
                throw Fail($"invalid operation \"{operation}\", allowed value is percentage-allocated (or the demand operations required-nodes, desired-nodes, pending-allocations)");
        }

        var pool = new NodePoolIdentifier { NodeClass = nodeClass, Datacenter = datacenter, NodePool = nodePool };
        if (pool.IsEmpty) throw Fail($"expected <query>/<key>=<value>[,<key>=<value>...], received \"{query}\"");
        return new NodePoolQuery(query, operation, metric, pool, nodeCpu, nodeMemory) { NodeUnits = nodeUnits };
    }

    private static long ParseCapacity(string key, string value)
        => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw Fail($"invalid {key} \"{value}\": expected a positive whole number");
}
