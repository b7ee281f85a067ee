namespace NomadAutoscaler.Simulator;

/// <summary>A client node to register in the simulator (initial nodes, <see cref="NomadSimulator.AddNode"/>).</summary>
public sealed record SimulatorNodeSpec
{
    /// <summary>Node name; a unique <c>sim-client-N</c> name is generated when empty.</summary>
    public string? Name { get; init; }

    /// <summary>Node ID; a new UUID when empty.</summary>
    public string? Id { get; init; }

    public string Datacenter { get; init; } = "dc1";
    public string NodeClass { get; init; } = "";
    public string NodePool { get; init; } = "default";

    /// <summary>Usable compute in MHz (<c>NodeResources.Cpu.CpuShares</c>).</summary>
    public int Cpu { get; init; } = 4000;

    public int MemoryMB { get; init; } = 8192;
    public int DiskMB { get; init; } = 51200;
    public int ReservedCpu { get; init; }
    public int ReservedMemoryMB { get; init; }

    /// <summary>Extra node attributes (merged over the simulator's defaults such as <c>unique.hostname</c>).</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Host volumes by name → host path.</summary>
    public IReadOnlyDictionary<string, string>? HostVolumes { get; init; }

    /// <summary>Register the node as <c>initializing</c> and let it become <c>ready</c> after the configured delay,
    /// as a real client does; false registers it <c>ready</c> at once.</summary>
    public bool StartInitializing { get; init; }
}
