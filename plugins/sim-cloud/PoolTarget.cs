using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.SimCloud;

/// <summary>A policy's <c>target "sim-cloud" { ... }</c> block, parsed and validated (every bad key reported at once).</summary>
internal sealed record PoolTarget
{
    private static readonly string[] KnownKeys =
    [
        "pool_name", "node_cpu", "node_memory",
        ClusterConfigKeys.NodeClass, ClusterConfigKeys.Datacenter, ClusterConfigKeys.NodePool, ClusterConfigKeys.NodeDrainDeadline,
        ClusterConfigKeys.NodeDrainIgnoreSystemJobs, ClusterConfigKeys.NodePurge, ClusterConfigKeys.NodeSelectorStrategy,
        ClusterConfigKeys.NodeFilterIgnoreInit, ClusterConfigKeys.NodeFilterIgnoreDrain, ClusterConfigKeys.NodeFilterIgnoreIneligible,
    ];

    /// <summary>The pool's name on the simulated cloud (os-nova's key, <c>pool_name</c>); defaults to the node class.</summary>
    public required string PoolName { get; init; }

    public required string NodeClass { get; init; }
    public required string Datacenter { get; init; }
    public required string NodePool { get; init; }

    /// <summary>A new server's node compute in MHz.</summary>
    public required int NodeCpu { get; init; }

    /// <summary>A new server's node memory in MiB.</summary>
    public required int NodeMemory { get; init; }

    public required ClusterScaleInOptions Cluster { get; init; }

    /// <summary>Parses the block. Unknown keys are errors; <c>nomad_*</c> and the agent's own keys pass.</summary>
    /// <exception cref="PluginConfigException">Every bad key.</exception>
    public static PoolTarget Parse(PluginSettings settings)
    {
        var violations = new List<ConfigViolation>();
        foreach (var key in settings.Keys.Order(StringComparer.Ordinal))
        {
            if (KnownKeys.Contains(key, StringComparer.Ordinal) || key.StartsWith("nomad_", StringComparison.Ordinal)
                || key.StartsWith("_nomad_autoscaler", StringComparison.Ordinal)) continue;
            violations.Add(new ConfigViolation(key, $"unknown key; expected one of {string.Join(", ", KnownKeys)}"));
        }

        var nodeClass = settings.GetString(ClusterConfigKeys.NodeClass)?.Trim();
        if (string.IsNullOrEmpty(nodeClass))
            violations.Add(new ConfigViolation(ClusterConfigKeys.NodeClass, "required: the class of the pool's nodes"));
        var poolName = settings.GetString("pool_name")?.Trim();
        if (poolName is { Length: 0 }) violations.Add(new ConfigViolation("pool_name", "must not be empty"));
        var datacenter = settings.GetString(ClusterConfigKeys.Datacenter, "dc1")!.Trim();
        var nodePool = settings.GetString(ClusterConfigKeys.NodePool, "default")!.Trim();

        int Size(string key, int fallback)
        {
            try
            {
                var value = settings.GetInt64(key, fallback)!.Value;
                if (value is >= 1 and <= int.MaxValue) return (int)value;
                violations.Add(new ConfigViolation(key, $"{value} is not a positive whole number"));
            }
            catch (PluginConfigException ex)
            {
                violations.AddRange(ex.Violations);
            }

            return fallback;
        }

        var cpu = Size("node_cpu", 4000);
        var memory = Size("node_memory", 8192);

        ClusterScaleInOptions? cluster = null;
        try
        {
            cluster = ClusterScaleInOptions.FromConfig(settings);
        }
        catch (PluginConfigException ex)
        {
            violations.AddRange(ex.Violations.Where(v => v.Key != ClusterConfigKeys.NodeClass || !string.IsNullOrEmpty(nodeClass)));
        }

        if (violations.Count > 0) throw new PluginConfigException(violations);
        return new PoolTarget
        {
            PoolName = poolName ?? nodeClass!,
            NodeClass = nodeClass!,
            Datacenter = datacenter,
            NodePool = nodePool,
            NodeCpu = cpu,
            NodeMemory = memory,
            Cluster = cluster!,
        };
    }
}
