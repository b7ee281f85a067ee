using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>How pool nodes in transitional states are treated.</summary>
public sealed record NodeFilterOptions
{
    /// <summary>Skip initializing nodes instead of failing.</summary>
    public bool IgnoreInit { get; init; }

    /// <summary>Skip draining nodes instead of failing.</summary>
    public bool IgnoreDrain { get; init; }

    /// <summary>Include ready but ineligible nodes (otherwise they are left out silently).</summary>
    public bool IgnoreIneligible { get; init; }

    /// <summary>Reads <c>node_filter_ignore_init</c>, <c>node_filter_ignore_drain</c> and <c>node_filter_ignore_ineligible</c>.</summary>
    /// <param name="config">The config map.</param>
    /// <param name="defaults">Values for absent keys.</param>
    /// <exception cref="PluginConfigException">A value is not a boolean; every bad key is reported.</exception>
    public static NodeFilterOptions FromConfig(IReadOnlyDictionary<string, string> config, NodeFilterOptions? defaults = null)
    {
        defaults ??= new NodeFilterOptions();
        var violations = new List<ConfigViolation>();
        bool Read(string key, bool fallback)
        {
            if (!config.TryGetValue(key, out var text) || string.IsNullOrEmpty(text)) return fallback;
            if (GoValues.TryParseBool(text.Trim(), out var value)) return value;
            violations.Add(new ConfigViolation(key, $"failed to parse node filter options: failed to parse value {text} for {key} configuration: not a boolean (use true or false)"));
            return fallback;
        }

        var options = new NodeFilterOptions
        {
            IgnoreInit = Read(ClusterConfigKeys.NodeFilterIgnoreInit, defaults.IgnoreInit),
            IgnoreDrain = Read(ClusterConfigKeys.NodeFilterIgnoreDrain, defaults.IgnoreDrain),
            IgnoreIneligible = Read(ClusterConfigKeys.NodeFilterIgnoreIneligible, defaults.IgnoreIneligible),
        };
        return violations.Count > 0 ? throw new PluginConfigException(violations) : options;
    }
}
