namespace NomadAutoscaler.OpenStack;

/// <summary>A Neutron port.</summary>
/// <param name="Id">Port ID.</param>
/// <param name="NetworkId">Network ID.</param>
/// <param name="DeviceId">The server (or router) using it.</param>
/// <param name="FixedIps">(subnet ID, address) pairs.</param>
public sealed record NeutronPort(string Id, string NetworkId, string DeviceId, IReadOnlyList<(string SubnetId, string Address)> FixedIps);
