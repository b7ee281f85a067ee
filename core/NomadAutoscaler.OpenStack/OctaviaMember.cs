namespace NomadAutoscaler.OpenStack;

/// <summary>A member of an Octavia pool.</summary>
/// <param name="Id">Member ID.</param>
/// <param name="Name">Member name; os-nova names its members after the server ID, as the community plugin does.</param>
/// <param name="Address">Backend address.</param>
/// <param name="ProtocolPort">Backend port.</param>
/// <param name="SubnetId">Subnet of the address, or null.</param>
/// <param name="ProvisioningStatus"><c>ACTIVE</c>, <c>PENDING_CREATE</c>, <c>PENDING_UPDATE</c>, <c>PENDING_DELETE</c> or <c>ERROR</c>.</param>
public sealed record OctaviaMember(string Id, string Name, string Address, int ProtocolPort, string? SubnetId, string ProvisioningStatus);
