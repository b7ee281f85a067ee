namespace NomadAutoscaler.Lab;

/// <summary>What `nomad-autoscaler simulate` runs: the operator's own files, a workload, and the simulated world.</summary>
public sealed record LabOptions
{
    /// <summary>Agent configuration files, merged in order as repeated <c>-config</c> flags are.</summary>
    public IReadOnlyList<string> ConfigPaths { get; init; } = [];

    public required string PolicyDir { get; init; }

    public required string WorkloadPath { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(24);

    public int Seed { get; init; } = 1;

    /// <summary>How long a new server takes from create to ACTIVE.</summary>
    public TimeSpan BootDelay { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Each boot takes <see cref="BootDelay"/> plus or minus up to this much, drawn from the seed.</summary>
    public TimeSpan BootJitter { get; init; }

    /// <summary>The share of new servers that go to ERROR instead of ACTIVE.</summary>
    public double BootFailureRate { get; init; }

    /// <summary>CPU of one pool node, MHz.</summary>
    public int NodeCpu { get; init; } = 4000;

    /// <summary>Memory of one pool node, MiB.</summary>
    public int NodeMemory { get; init; } = 8192;

    /// <summary>How often the cluster is sampled for the report.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>When set, the agent's own log lines (engine and plugins) go to stderr at this level, stamped with
    /// virtual time: the same lines an agent would print, for following a decision.</summary>
    public string? LogLevel { get; init; }

    /// <summary>The fault schedule drawn from <see cref="Seed"/> (<c>-faults</c>). With any fault on, the run also
    /// checks its invariants as it goes and stops at the first violation (<see cref="Faults.LabInvariantException"/>).</summary>
    public Faults.LabFaultSpec FaultSpec { get; init; } = Faults.LabFaultSpec.None;

    /// <summary>Faults are drawn until this far into the run (default: the duration less an hour), then the run shows
    /// whether the system recovers.</summary>
    public TimeSpan? FaultsUntil { get; init; }

    /// <summary>How long after faults stop every pool must have what its policy wants, and keep it to the end.</summary>
    public TimeSpan ConvergenceBound { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Checks the invariants even without faults: a fault-free run must keep them too.</summary>
    public bool CheckInvariants { get; init; }

    /// <summary>Where a run starts on the virtual clock; fixed, so reports repeat.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
}
