namespace NomadAutoscaler.OpenStack;

/// <summary>A Neutron network.</summary>
/// <param name="Id">Network ID.</param>
/// <param name="Name">Name.</param>
/// <param name="External"><c>router:external</c>.</param>
public sealed record NeutronNetwork(string Id, string Name, bool External);
