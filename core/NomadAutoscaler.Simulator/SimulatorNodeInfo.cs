namespace NomadAutoscaler.Simulator;

/// <summary>A snapshot of one simulated node, for assertions.</summary>
public sealed record SimulatorNodeInfo(
    string Id,
    string Name,
    string Datacenter,
    string NodeClass,
    string NodePool,
    string Status,
    string SchedulingEligibility,
    bool Draining,
    string? LastDrainStatus,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Meta,
    string? CloudServerId);
