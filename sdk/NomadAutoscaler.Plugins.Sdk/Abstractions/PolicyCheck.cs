namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The policy check a strategy is run for.</summary>
/// <param name="Name">The check's name (its label in the policy).</param>
/// <param name="Source">The APM the metrics came from.</param>
/// <param name="Query">The query that produced the metrics.</param>
/// <param name="QueryWindow">The query window.</param>
/// <param name="Strategy">The strategy's name and per-policy configuration.</param>
public sealed record PolicyCheck(string Name, string Source, string Query, TimeSpan QueryWindow, StrategyConfig Strategy);

/// <summary>A strategy's name and its per-check configuration.</summary>
/// <param name="Name">The strategy name.</param>
/// <param name="Config">The strategy block's key/values from the policy.</param>
public sealed record StrategyConfig(string Name, PluginSettings Config);
