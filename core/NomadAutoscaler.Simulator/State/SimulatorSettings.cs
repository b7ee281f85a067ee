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

    /// <summary>Runs the wake-up of blocked readers after a write; null wakes them on the thread pool.</summary>
    public Action<Action>? Dispatch { get; init; }

    /// <summary>How long finished allocations are kept; null keeps them for ever (the default: tests read them back).</summary>
    public TimeSpan? AllocationGcAge { get; init; }

    /// <summary>Makes object IDs: random UUIDs, or a seeded sequence where a run must repeat byte for byte.</summary>
    public Func<string> NewId { get; init; } = () => Guid.NewGuid().ToString();

    /// <summary>The blocking-query jitter source; seeded together with <see cref="NewId"/>.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>A UUID generator that yields the same sequence for the same seed.</summary>
    public static Func<string> SeededIds(int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[16];
        return () =>
        {
            random.NextBytes(bytes);
            // Version 4 / RFC 4122 variant bits, so the IDs look like the ones Nomad makes.
            bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes).ToString();
        };
    }
}
