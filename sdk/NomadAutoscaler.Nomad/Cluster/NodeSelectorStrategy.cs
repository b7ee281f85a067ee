namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Which nodes a scale-in removes first (<c>node_selector_strategy</c>).</summary>
public enum NodeSelectorStrategy
{
    /// <summary><c>least_busy</c>: lowest mean of CPU and memory allocated by running allocations.</summary>
    LeastBusy,

    /// <summary><c>newest_create_index</c>: most recently registered first.</summary>
    NewestCreateIndex,

    /// <summary><c>oldest_create_index</c>: earliest registered first.</summary>
    OldestCreateIndex,

    /// <summary><c>empty</c>: only nodes whose allocations are all terminal (may select fewer than asked).</summary>
    Empty,

    /// <summary><c>empty_ignore_system</c>: like <see cref="Empty"/>, ignoring allocations of system jobs.</summary>
    EmptyIgnoreSystem,
}
