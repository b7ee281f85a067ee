namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>The target config keys the cluster helpers read, as upstream's scaleutils names them.</summary>
public static class ClusterConfigKeys
{
    /// <summary>Pool by node class (<c>autoscaler-default-pool</c> matches nodes without a class).</summary>
    public const string NodeClass = "node_class";

    /// <summary>Pool by datacenter.</summary>
    public const string Datacenter = "datacenter";

    /// <summary>Pool by node pool.</summary>
    public const string NodePool = "node_pool";

    /// <summary>Drain deadline (Go duration, default 15m).</summary>
    public const string NodeDrainDeadline = "node_drain_deadline";

    /// <summary>Leave system-job allocations running during a drain (bool, default false).</summary>
    public const string NodeDrainIgnoreSystemJobs = "node_drain_ignore_system_jobs";

    /// <summary>Purge nodes from Nomad after their instances are gone (bool, default false).</summary>
    public const string NodePurge = "node_purge";

    /// <summary>Which nodes to remove first (default <c>least_busy</c>).</summary>
    public const string NodeSelectorStrategy = "node_selector_strategy";

    /// <summary>Skip initializing nodes instead of failing (bool).</summary>
    public const string NodeFilterIgnoreInit = "node_filter_ignore_init";

    /// <summary>Skip draining nodes instead of failing (bool).</summary>
    public const string NodeFilterIgnoreDrain = "node_filter_ignore_drain";

    /// <summary>Count ready but ineligible nodes as pool members (bool).</summary>
    public const string NodeFilterIgnoreIneligible = "node_filter_ignore_ineligible";

    /// <summary>Disruption budget: how many pool nodes may be draining at once, a count (<c>2</c>) or a percentage of
    /// the pool (<c>25%</c>). Unset means no limit beyond the scale-in step itself.</summary>
    public const string MaxDraining = "max_draining";

    /// <summary>Job meta or node meta key that keeps a node out of scale-in: <c>"true"</c>, or on a job a duration
    /// (<c>"2h"</c>) counted from the allocation's creation.</summary>
    public const string DoNotDisrupt = "nomad_autoscaler.do_not_disrupt";

    /// <summary>The drain meta key that marks a drain as started by the autoscaler.</summary>
    public const string DrainedBy = "drained_by";

    /// <summary>The class value that stands for "nodes without a class".</summary>
    public const string DefaultPoolClass = "autoscaler-default-pool";
}
