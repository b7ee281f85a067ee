namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Everything a server create needs, resolved from the policy.</summary>
internal sealed record CreationData(string ImageId, string FlavorId, IReadOnlyList<string> NetworkIds, string? ExternalNetworkId, UserDataTemplate? Template);
