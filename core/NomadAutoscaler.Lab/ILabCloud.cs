using NomadAutoscaler.Core.Plugins;

namespace NomadAutoscaler.Lab;

/// <summary>The simulated cloud as the lab sees it: pools to create for cluster policies, a server count to bill, and
/// the target client that scales a pool (the <c>sim-cloud</c> plugin, in-process).</summary>
internal interface ILabCloud
{
    /// <summary>Declares the pool that plays a cluster policy's target.</summary>
    void AddPool(LabPool pool);

    /// <summary>Servers of the pool that exist now, booting ones included: what the cloud bills.</summary>
    int LiveServers(string pool);

    /// <summary>The client the engine calls for a cloud target block; it receives the policy's own target config.</summary>
    ITargetClient TargetFor(TargetCloud block);
}

/// <summary>A pool of identical servers that join as Nomad nodes of one class.</summary>
internal sealed record LabPool(string Name, string NodeClass, string Datacenter, string NodePool, int Cpu, int Memory);
