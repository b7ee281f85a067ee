namespace NomadAutoscaler.OpenStack;

/// <summary>An Octavia pool.</summary>
/// <param name="Id">Pool ID.</param>
/// <param name="Name">Pool name.</param>
/// <param name="LoadBalancerId">The load balancer whose provisioning status gates every member change.</param>
/// <param name="ProvisioningStatus">The pool's own provisioning status.</param>
public sealed record OctaviaPool(string Id, string Name, string LoadBalancerId, string ProvisioningStatus);
