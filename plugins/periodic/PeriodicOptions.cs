using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Periodic;

/// <summary>The agent-level <c>strategy "periodic" { config = {...} }</c> block: the strategy is configured per check,
/// so any key is allowed and none is used (as for the other built-in strategies).</summary>
[AllowUnknownKeys]
public sealed class PeriodicOptions;
