namespace NomadAutoscaler.Bench;

/// <summary>One row of the table: one host against one plugin build. Null figures were not measured (or failed: see
/// <see cref="Errors"/>).</summary>
internal sealed class RowResult(BenchRow row)
{
    public BenchRow Row { get; } = row;

    public List<double> StartupMs { get; } = [];

    public double? P50Us { get; set; }

    public double? P99Us { get; set; }

    public double? CallsPerSec { get; set; }

    public long? RssKiB { get; set; }

    public long? PeakRssKiB { get; set; }

    public List<string> Errors { get; } = [];
}
