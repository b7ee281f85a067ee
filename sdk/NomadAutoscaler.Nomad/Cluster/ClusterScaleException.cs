namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>A cluster scale step failed. When some nodes did finish draining before the failure,
/// <see cref="DrainedNodes"/> lists them: they are safe to terminate (and are ineligible in Nomad).</summary>
public sealed class ClusterScaleException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterScaleException() : this("cluster scale failed") { }

    /// <summary>Creates the exception with a message.</summary>
    public ClusterScaleException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ClusterScaleException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Nodes whose drain completed before the failure.</summary>
    public IReadOnlyList<ClusterNode> DrainedNodes { get; init; } = [];

    /// <summary>True when the scale-in safety rules (fit check, do-not-disrupt, disruption budget, re-check) left no
    /// node to remove; the message says why and no node was changed. A target reports this as a no-op
    /// (<see cref="NomadAutoscaler.Plugins.Sdk.ScalingNoOpException"/>), not as a failure.</summary>
    public bool NothingRemovable { get; init; }

    /// <summary>Nodes whose drain failed or did not complete; they stay ineligible until eligibility is restored.</summary>
    public IReadOnlyList<ClusterNode> FailedNodes { get; init; } = [];
}
