namespace NomadAutoscaler.Core.Plugins;

/// <summary>Result of a target <c>Scale</c> call that did not fail.</summary>
internal enum ScaleOutcome
{
    /// <summary>The target applied the action.</summary>
    Scaled = 0,

    /// <summary>The target said nothing needed doing (gRPC <c>ABORTED</c>); not a failure, no cooldown.</summary>
    NoOp = 1,
}
