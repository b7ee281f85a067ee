namespace NomadAutoscaler.Simulator;

/// <summary>
/// The cloud the simulator watches so that servers a target plugin creates join the simulated cluster as
/// Nomad nodes (and leave it when deleted), as real Nomad clients booting on those servers would.
/// </summary>
/// <remarks>Implementations: <see cref="InMemoryCloudJoinSource"/> for tests; a Nova poller elsewhere.</remarks>
public interface ICloudJoinSource
{
    /// <summary>Lists every server the source can see. Called every <see cref="SimulatorOptions.CloudJoinInterval"/>;
    /// an exception skips that poll and leaves the nodes as they were.</summary>
    Task<IReadOnlyList<CloudServer>> ListServersAsync(CancellationToken cancellationToken);
}
