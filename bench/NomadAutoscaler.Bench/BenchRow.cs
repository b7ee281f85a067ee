namespace NomadAutoscaler.Bench;

/// <summary>Which host measures which plugin build.</summary>
internal enum HostKind
{
    /// <summary>Our agent's PluginManager, in this process.</summary>
    CSharp,

    /// <summary>tests/interop/go goplugin-host (hashicorp/go-plugin's Client), one process per measurement.</summary>
    Go,
}

/// <summary>A row of the benchmark: <paramref name="PluginDir"/> + <paramref name="Driver"/> is the plugin as the host resolves it.</summary>
internal sealed record BenchRow(string Label, HostKind Host, string PluginDir, string Driver, bool InProcess = false)
{
    public string PluginPath => Path.Combine(PluginDir, Driver);
}
