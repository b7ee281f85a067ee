namespace NomadAutoscaler.Core.Plugins;

/// <summary>Result of a target <c>Scale</c> call that did not fail.</summary>
/// <param name="IsNoOp">True when the target said nothing needed doing (gRPC <c>ABORTED</c>); not a failure, no cooldown.</param>
/// <param name="Reason">The target's reason for a no-op (the status detail), when it gave one.</param>
internal sealed record ScaleOutcome(bool IsNoOp, string? Reason = null)
{
    /// <summary>The target applied the action.</summary>
    public static ScaleOutcome Scaled { get; } = new(false);

    /// <summary>A no-op without a reason.</summary>
    public static ScaleOutcome NoOp { get; } = new(true);

    /// <summary>A no-op carrying the target's reason, e.g. why a scale-in could remove no node.</summary>
    public static ScaleOutcome NoOpBecause(string? reason) => string.IsNullOrEmpty(reason) ? NoOp : new(true, reason);
}
