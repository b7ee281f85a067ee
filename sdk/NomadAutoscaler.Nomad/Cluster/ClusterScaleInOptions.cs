using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Everything a scale-in reads from a policy's target block.</summary>
public sealed record ClusterScaleInOptions
{
    /// <summary>The pool.</summary>
    public required NodePoolIdentifier Pool { get; init; }

    /// <summary>Node state filter. Scale-in includes ready but ineligible nodes unless told otherwise.</summary>
    public NodeFilterOptions Filter { get; init; } = new() { IgnoreIneligible = true };

    /// <summary>The selector.</summary>
    public NodeSelectorStrategy Strategy { get; init; } = NodeSelector.DefaultStrategy;

    /// <summary>The drain.</summary>
    public DrainSettings Drain { get; init; } = new();

    /// <summary>Purge the nodes from Nomad once their instances are gone.</summary>
    public bool Purge { get; init; }

    /// <summary>Disruption budget (<c>max_draining</c>); null means none beyond the step itself.</summary>
    public DisruptionBudget? MaxDraining { get; init; }

    /// <summary>Reads the pool, filter, selector, drain, purge and <c>max_draining</c> keys, reporting every bad key at once.</summary>
    /// <exception cref="PluginConfigException">Missing pool keys or unparsable values.</exception>
    public static ClusterScaleInOptions FromConfig(IReadOnlyDictionary<string, string> config)
    {
        var violations = new List<ConfigViolation>();
        T? Collect<T>(Func<T> read)
            where T : class
        {
            try
            {
                return read();
            }
            catch (PluginConfigException ex)
            {
                violations.AddRange(ex.Violations);
                return null;
            }
        }

        var pool = Collect(() => NodePoolIdentifier.FromConfig(config));
        var filter = Collect(() => NodeFilterOptions.FromConfig(config, new NodeFilterOptions { IgnoreIneligible = true }));
        var drain = Collect(() => DrainSettings.FromConfig(config));
        var strategy = Collect(() => (object)NodeSelector.ParseStrategy(config.GetValueOrDefault(ClusterConfigKeys.NodeSelectorStrategy)));
        var purge = false;
        if (config.TryGetValue(ClusterConfigKeys.NodePurge, out var purgeText) && !string.IsNullOrEmpty(purgeText)
            && !GoValues.TryParseBool(purgeText.Trim(), out purge))
            violations.Add(new ConfigViolation(ClusterConfigKeys.NodePurge, $"\"{purgeText}\" is not a boolean (use true or false)"));

        DisruptionBudget? maxDraining = null;
        if (config.TryGetValue(ClusterConfigKeys.MaxDraining, out var budgetText) && !string.IsNullOrWhiteSpace(budgetText))
            maxDraining = Collect(() => DisruptionBudget.Parse(budgetText));

        if (violations.Count > 0) throw new PluginConfigException(violations);
        return new ClusterScaleInOptions
        {
            Pool = pool!,
            Filter = filter!,
            Drain = drain!,
            Strategy = (NodeSelectorStrategy)strategy!,
            Purge = purge,
            MaxDraining = maxDraining,
        };
    }
}
