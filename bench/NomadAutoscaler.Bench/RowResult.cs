namespace NomadAutoscaler.Bench;

/// <summary>One row of the table: one host against one plugin build. Null figures were not measured (or failed: see
/// <see cref="Errors"/>).</summary>
internal sealed class RowResult(BenchRow row)
{
    public BenchRow Row { get; } = row;

    /// <summary>Process start to the first successful RPC (PluginInfo), the definition and the Go host's
    /// <c>startup_ms</c>. In-process rows: load and configure.</summary>
    public List<double> StartupMs { get; } = [];

    /// <summary>Our host, external rows: until <c>PluginManager.StartAsync</c> returns, i.e. with SetConfig as well.</summary>
    public List<double> ConfiguredMs { get; } = [];

    public double? P50Us { get; set; }

    public double? P99Us { get; set; }

    public double? CallsPerSec { get; set; }

    public long? RssKiB { get; set; }

    public long? PeakRssKiB { get; set; }

    public List<string> Errors { get; } = [];
}
