namespace NomadAutoscaler.Simulator.Cloud;

/// <summary>How the <see cref="SimulatedCloud"/> boots servers. Every random draw comes from one generator seeded
/// with <see cref="Seed"/>, so the same sequence of calls gives the same servers, delays and failures.</summary>
public sealed class SimulatedCloudOptions
{
    /// <summary>How long a server stays <c>BUILD</c> before it is <c>ACTIVE</c> (or <c>ERROR</c>).</summary>
    public TimeSpan BootDelay { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Each boot takes <see cref="BootDelay"/> plus a uniform draw in [-jitter, +jitter] (never below zero).</summary>
    public TimeSpan BootJitter { get; set; } = TimeSpan.Zero;

    /// <summary>The probability (0..1) that a boot ends in <c>ERROR</c> instead of <c>ACTIVE</c>.</summary>
    public double BootFailureRate { get; set; }

    /// <summary>Decides, for each new server (by name), a fault of its boot beside <see cref="BootFailureRate"/>: a
    /// fault schedule (the lab's) draws them from its own generator, so this one's sequence is not moved.</summary>
    public Func<string, SimulatedBootFault>? BootFault { get; set; }

    /// <summary>Seeds the generator behind server IDs, boot jitter and boot failures.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>What goes wrong with one server's boot.</summary>
public enum SimulatedBootFault
{
    None,

    /// <summary>The server goes to ERROR instead of ACTIVE.</summary>
    Error,

    /// <summary>The server goes ACTIVE, but its Nomad client never joins the cluster.</summary>
    NeverJoin,
}
