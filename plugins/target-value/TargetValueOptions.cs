using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.TargetValue;

/// <summary>The agent-level <c>strategy "target-value" { config = {...} }</c> block. Upstream accepts and ignores it, so
/// every key is allowed and none is used; the strategy is configured per check.</summary>
[AllowUnknownKeys]
public sealed class TargetValueOptions;
