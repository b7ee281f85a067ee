using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Threshold;

/// <summary>The agent-level <c>strategy "threshold" { config = {...} }</c> block. Upstream accepts and ignores it, so
/// every key is allowed and none is used; the strategy is configured per check.</summary>
[AllowUnknownKeys]
public sealed class ThresholdOptions;
