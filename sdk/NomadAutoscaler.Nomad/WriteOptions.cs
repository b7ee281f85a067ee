namespace NomadAutoscaler.Nomad;

/// <summary>Per-call options of a write. Unset values fall back to <see cref="NomadClientOptions"/>.</summary>
public sealed record WriteOptions
{
    /// <summary>Namespace of this call.</summary>
    public string? Namespace { get; init; }

    /// <summary>Region of this call.</summary>
    public string? Region { get; init; }
}
