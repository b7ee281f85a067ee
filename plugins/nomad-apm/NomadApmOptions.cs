using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>The <c>apm "nomad-apm"</c> block's config: the injected <c>nomad_*</c> keys plus node filter options.</summary>
public sealed class NomadApmOptions : NomadPluginOptions
{
    /// <summary>Skip initializing pool nodes instead of failing node queries.</summary>
    public bool NodeFilterIgnoreInit { get; set; }

    /// <summary>Skip draining pool nodes instead of failing node queries.</summary>
    public bool NodeFilterIgnoreDrain { get; set; }

    /// <summary>Count ready but ineligible nodes as pool members.</summary>
    public bool NodeFilterIgnoreIneligible { get; set; }

    /// <summary>Per-node allocatable CPU (MHz) used by demand queries when the pool has no node to measure and the query names none.</summary>
    public long? NodeCpu { get; set; }

    /// <summary>Per-node allocatable memory (MiB) used by demand queries when the pool has no node to measure and the query names none.</summary>
    public long? NodeMemory { get; set; }
}
