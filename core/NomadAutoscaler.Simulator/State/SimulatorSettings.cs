namespace NomadAutoscaler.Simulator.State;

/// <summary>The parts of <see cref="SimulatorOptions"/> the state machine needs, frozen at start.</summary>
internal sealed record SimulatorSettings
{
    public string Region { get; init; } = "global";
    public string Datacenter { get; init; } = "dc1";
    public TimeSpan AllocStartDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan AllocStopDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan NodeInitializeDelay { get; init; } = TimeSpan.FromSeconds(3);
    public long JobMaxCount { get; init; } = 50000;

    /// <summary>The identity written into <c>LastDrain.AccessorID</c>.</summary>
    public string AccessorIdentity { get; init; } = "token:acls-disabled";
}
