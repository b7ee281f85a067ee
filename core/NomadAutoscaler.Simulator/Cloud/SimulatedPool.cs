namespace NomadAutoscaler.Simulator.Cloud;

/// <summary>A pool of simulated cloud servers and the Nomad node each of its ACTIVE servers becomes.</summary>
public sealed record SimulatedPool
{
    /// <summary>The pool name (os-nova's <c>pool_name</c>); server names are <c>&lt;Name&gt;-&lt;n&gt;</c>.</summary>
    public required string Name { get; init; }

    public string NodeClass { get; init; } = "";
    public string Datacenter { get; init; } = "dc1";
    public string NodePool { get; init; } = "default";

    /// <summary>Node compute in MHz.</summary>
    public int Cpu { get; init; } = 4000;

    /// <summary>Node memory in MiB.</summary>
    public int MemoryMB { get; init; } = 8192;
}
