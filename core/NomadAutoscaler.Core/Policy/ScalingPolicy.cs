using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Policy;

/// <summary>A scaling policy after decoding and defaulting, as the evaluation engine sees it.</summary>
public sealed record ScalingPolicy
{
    /// <summary>Stable id: the Nomad policy id, or a hash of file path + name for file policies.</summary>
    public required string Id { get; init; }

    /// <summary>The policy's name (its label in a file; the job/group for Nomad policies).</summary>
    public required string Name { get; init; }

    /// <summary>Where the policy came from: <c>file</c> or <c>nomad</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The file a file policy came from, for messages.</summary>
    public string? FilePath { get; init; }

    /// <summary><c>cluster</c> or <c>horizontal</c> (others are accepted but never produce checks).</summary>
    public string Type { get; init; } = PolicyTypes.Cluster;

    /// <summary>Whether the policy runs at all.</summary>
    public bool Enabled { get; init; }

    /// <summary>Lowest allowed count.</summary>
    public long Min { get; init; }

    /// <summary>Highest allowed count.</summary>
    public long Max { get; init; }

    /// <summary>Wait after a scale down (and after scale up unless <see cref="CooldownOnScaleUp"/> is set).</summary>
    public TimeSpan Cooldown { get; init; }

    /// <summary>Wait after a scale up.</summary>
    public TimeSpan CooldownOnScaleUp { get; init; }

    /// <summary>How often the policy is evaluated.</summary>
    public TimeSpan EvaluationInterval { get; init; }

    /// <summary><c>ignore</c> (also when empty) or <c>fail</c>.</summary>
    public string OnCheckError { get; init; } = "";

    /// <summary>When the policy is active; null means always.</summary>
    public PolicySchedule? Schedule { get; init; }

    /// <summary>The checks, in policy order.</summary>
    public IReadOnlyList<PolicyCheckSpec> Checks { get; init; } = [];

    /// <summary>Changes whenever the policy's content changes; lets the manager skip unchanged updates.</summary>
    public string Revision { get; init; } = "";

    /// <summary>The target plugin and its per-policy configuration.</summary>
    public required PolicyTarget Target { get; init; }
}

/// <summary>Known policy types.</summary>
public static class PolicyTypes
{
    /// <summary>Cluster (node pool) scaling.</summary>
    public const string Cluster = "cluster";

    /// <summary>Task group (horizontal application) scaling.</summary>
    public const string Horizontal = "horizontal";
}

/// <summary>One check of a policy.</summary>
public sealed record PolicyCheckSpec
{
    /// <summary>The check's label.</summary>
    public required string Name { get; init; }

    /// <summary>Checks sharing a group vote together; empty means ungrouped.</summary>
    public string Group { get; init; } = "";

    /// <summary>APM plugin name; default <c>nomad-apm</c>.</summary>
    public string Source { get; init; } = "nomad-apm";

    /// <summary>The APM query, possibly in short form.</summary>
    public string Query { get; init; } = "";

    /// <summary>Window of metrics to query; default 1m.</summary>
    public TimeSpan QueryWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How far the window's end lies before now.</summary>
    public TimeSpan QueryWindowOffset { get; init; }

    /// <summary>True for <c>query_window = "instant"</c>.</summary>
    public bool QueryInstant { get; init; }

    /// <summary>When the check is active; null means always.</summary>
    public PolicySchedule? Schedule { get; init; }

    /// <summary>Strategy plugin name.</summary>
    public required string StrategyName { get; init; }

    /// <summary>Strategy block key/values as strings.</summary>
    public IReadOnlyDictionary<string, string> StrategyConfig { get; init; } = new Dictionary<string, string>();

    /// <summary><c>ignore</c>, <c>fail</c> or empty (defer to the policy's <c>on_check_error</c>).</summary>
    public string OnError { get; init; } = "";

    /// <summary>True when the strategy needs no metrics (fixed-value).</summary>
    public bool NeedsMetrics => StrategyName != "fixed-value";
}

/// <summary>The target plugin of a policy.</summary>
/// <param name="Name">Target plugin name.</param>
/// <param name="Config">Target block key/values as strings.</param>
public sealed record PolicyTarget(string Name, IReadOnlyDictionary<string, string> Config)
{
    /// <summary>True when <c>dry-run = true</c>.</summary>
    public bool DryRun => Config.TryGetValue("dry-run", out var v) && GoValues.TryParseBool(v, out var b) && b;
}
