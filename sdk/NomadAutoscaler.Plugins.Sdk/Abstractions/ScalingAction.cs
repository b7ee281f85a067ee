namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>A scaling decision: what a strategy proposes and what a target is asked to do.</summary>
/// <param name="Count">The desired count. The agent sends -1 with direction <see cref="ScalingDirection.None"/> for dry runs.</param>
/// <param name="Direction">Whether the count goes up, down or stays.</param>
/// <param name="Reason">A human-readable reason, shown in the agent's logs.</param>
public sealed record ScalingAction(long Count, ScalingDirection Direction, string Reason)
{
    /// <summary>True when the action reports an error rather than a decision.</summary>
    public bool Error { get; init; }

    /// <summary>Free-form metadata that travels with the action (a JSON object on the wire).</summary>
    public IReadOnlyDictionary<string, object?> Meta { get; init; } = EmptyMeta;

    /// <summary>An action that changes nothing. It is also what a Go strategy's "return nil, nil" (no metrics, too few
    /// points in bounds) amounts to: the Go agent turns a nil evaluation into this same empty action.</summary>
    public static ScalingAction NoChange(string reason = "") => new(0, ScalingDirection.None, reason);

    private static readonly IReadOnlyDictionary<string, object?> EmptyMeta = new Dictionary<string, object?>();
}
