namespace NomadAutoscaler.Simulator.Cloud;

/// <summary>Where a simulated server is in its life, with Nova's status names (<see cref="SimulatedServer.Status"/>).</summary>
public enum SimulatedServerState
{
    /// <summary><c>BUILD</c>: booting.</summary>
    Build,

    /// <summary><c>ACTIVE</c>: booted; its Nomad client has joined the cluster.</summary>
    Active,

    /// <summary><c>ERROR</c>: the boot failed; it never joins and stays until deleted.</summary>
    Error,

    /// <summary><c>DELETED</c>: gone; kept in the list so a run can be accounted afterwards.</summary>
    Deleted,
}

/// <summary>A snapshot of one simulated server.</summary>
/// <param name="Id">The server ID (a UUID from the cloud's seeded generator).</param>
/// <param name="Name">The server name, <c>&lt;pool&gt;-&lt;n&gt;</c>; it is also the Nomad node name.</param>
/// <param name="Pool">The name of the pool it was created in.</param>
/// <param name="State">Its state now.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ActiveAt">When it became ACTIVE (its node then registers), if it did.</param>
/// <param name="DeletedAt">When it was deleted, if it was.</param>
/// <param name="NodeId">The ID of the Nomad node it registered, once ACTIVE.</param>
/// <param name="PoolSpec">The pool it was created in: the node class, datacenter, node pool and size of its node.</param>
public sealed record SimulatedServer(
    string Id,
    string Name,
    string Pool,
    SimulatedServerState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ActiveAt,
    DateTimeOffset? DeletedAt,
    string? NodeId,
    SimulatedPool PoolSpec)
{
    /// <summary>The state as Nova spells it: <c>BUILD</c>, <c>ACTIVE</c>, <c>ERROR</c>, <c>DELETED</c>.</summary>
    public string Status => State switch
    {
        SimulatedServerState.Build => "BUILD",
        SimulatedServerState.Active => "ACTIVE",
        SimulatedServerState.Error => "ERROR",
        _ => "DELETED",
    };
}
