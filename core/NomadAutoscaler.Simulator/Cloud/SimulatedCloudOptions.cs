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

    /// <summary>Seeds the generator behind server IDs, boot jitter and boot failures.</summary>
    public int Seed { get; set; } = 1;
}
