namespace NomadAutoscaler.Nomad;

/// <summary>An allocation's health within a deployment.</summary>
public sealed record AllocationDeploymentStatus
{
    /// <summary>Null until health is known.</summary>
    public bool? Healthy { get; init; }

    /// <summary>True for canaries.</summary>
    public bool Canary { get; init; }
}
