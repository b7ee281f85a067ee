using System.Globalization;

namespace NomadAutoscaler.Bench;

/// <summary>Resident memory of a process from /proc (the Go harness reads the same two lines).</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS and VmHWM (peak RSS) of <paramref name="pid"/>, in KiB.</summary>
    public static (long RssKiB, long PeakKiB) Read(int pid)
    {
        var path = $"/proc/{pid}/status";
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(' ', '\t').Where(f => f.Length > 0).ToArray();
            if (fields.Length < 2 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) continue;
            if (fields[0] == "VmRSS:") rss = value;
            else if (fields[0] == "VmHWM:") peak = value;
        }

        if (rss == 0) throw new InvalidOperationException($"no VmRSS line in {path}");
        return (rss, peak);
    }
}
