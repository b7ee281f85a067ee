namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Everything a server create needs, resolved from the policy.</summary>
/// <param name="Flavors">Flavors in preference order (one unless <c>flavor_names</c> lists more).</param>
internal sealed record CreationData(string ImageId, IReadOnlyList<Flavor> Flavors, IReadOnlyList<string> NetworkIds, string? ExternalNetworkId, UserDataTemplate? Template);

/// <summary>A resolved flavor: the name the policy used (or the ID), its ID and its size.</summary>
internal sealed record Flavor(string Name, string Id, int Vcpus, long RamMB);
