using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>How nodes are drained before their instances are removed.</summary>
public sealed record DrainSettings
{
    /// <summary>The default drain deadline.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(15);

    /// <summary>After this long Nomad stops whatever still runs; zero means no deadline, negative forces at once.</summary>
    public TimeSpan Deadline { get; init; } = DefaultDeadline;

    /// <summary>Leave system-job allocations running (and do not wait for them).</summary>
    public bool IgnoreSystemJobs { get; init; }

    /// <summary>Stored as the drain's meta on the node.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string> { [ClusterConfigKeys.DrainedBy] = DrainedByValue };

    /// <summary>The <c>drained_by</c> value of the autoscaler's drains.</summary>
    public const string DrainedByValue = "nomad-autoscaler";

    /// <summary>Reads <c>node_drain_deadline</c> and <c>node_drain_ignore_system_jobs</c>.</summary>
    /// <exception cref="PluginConfigException">A value cannot be parsed; every bad key is reported.</exception>
    public static DrainSettings FromConfig(IReadOnlyDictionary<string, string> config)
    {
        var violations = new List<ConfigViolation>();
        var settings = new DrainSettings();
        if (config.TryGetValue(ClusterConfigKeys.NodeDrainDeadline, out var deadlineText) && !string.IsNullOrEmpty(deadlineText))
        {
            if (GoDuration.TryParse(deadlineText.Trim(), out var deadline)) settings = settings with { Deadline = deadline };
            else violations.Add(new ConfigViolation(ClusterConfigKeys.NodeDrainDeadline, $"failed to generate node drainspec: \"{deadlineText}\" is not a duration (for example 15m)"));
        }

        if (config.TryGetValue(ClusterConfigKeys.NodeDrainIgnoreSystemJobs, out var ignoreText) && !string.IsNullOrEmpty(ignoreText))
        {
            if (GoValues.TryParseBool(ignoreText.Trim(), out var ignore)) settings = settings with { IgnoreSystemJobs = ignore };
            else violations.Add(new ConfigViolation(ClusterConfigKeys.NodeDrainIgnoreSystemJobs, $"failed to generate node drainspec: \"{ignoreText}\" is not a boolean (use true or false)"));
        }

        return violations.Count > 0 ? throw new PluginConfigException(violations) : settings;
    }
}
