namespace NomadAutoscaler.Simulator.State;

/// <summary>The Nomad version the simulator claims to be (the reference was read at 2.0.6-dev).</summary>
internal static class NomadVersion
{
    public const string Version = "2.0.5";
    public const string Revision = "simulated";
}
