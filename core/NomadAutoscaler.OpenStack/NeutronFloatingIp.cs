namespace NomadAutoscaler.OpenStack;

/// <summary>A Neutron floating IP.</summary>
/// <param name="Id">Floating IP ID.</param>
/// <param name="Address">The floating address.</param>
/// <param name="FloatingNetworkId">The external network.</param>
/// <param name="PortId">The attached port, or null.</param>
/// <param name="Description">Free text; os-nova records the pool and server here so a restarted plugin finds it again.</param>
public sealed record NeutronFloatingIp(string Id, string Address, string FloatingNetworkId, string? PortId, string Description);
