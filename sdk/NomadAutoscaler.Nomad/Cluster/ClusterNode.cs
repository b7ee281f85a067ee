namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>A Nomad node paired with the cloud's ID for the same machine.</summary>
/// <param name="NodeId">The Nomad node ID.</param>
/// <param name="RemoteId">The cloud's instance ID or name, as the target's remote-ID lookup produced it.</param>
/// <param name="Node">The node as listed when it was selected.</param>
public sealed record ClusterNode(string NodeId, string RemoteId, NodeListStub Node);
