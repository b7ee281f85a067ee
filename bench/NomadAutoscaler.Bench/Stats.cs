namespace NomadAutoscaler.Bench;

/// <summary>Order statistics with the nearest-rank method, the same as the Go harness uses, so both sides' p50/p99 agree.</summary>
internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, int percent)
    {
        if (values.Count == 0) throw new ArgumentException("no samples", nameof(values));
        var sorted = values.Order().ToArray();
        var rank = Math.Max(1, ((percent * sorted.Length) + 99) / 100);
        return sorted[rank - 1];
    }

    /// <summary>The middle value; the mean of the two middle values for an even count.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no samples", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
