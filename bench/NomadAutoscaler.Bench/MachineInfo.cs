using System.Runtime.InteropServices;

namespace NomadAutoscaler.Bench;

/// <summary>What the figures were measured on: shared machines make load part of the result.</summary>
internal static class MachineInfo
{
    public static string LoadAverage()
    {
        var text = ReadOrNull("/proc/loadavg");
        return text is null ? "unknown" : string.Join(' ', text.Split(' ').Take(3));
    }

    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            : null;
        var gib = memory is null ? null
            : (long.TryParse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kib) ? $"{kib / 1024.0 / 1024.0:F0} GiB" : null);
        var kernel = ReadOrNull("/proc/sys/kernel/osrelease");
        return $"nproc {Environment.ProcessorCount}" + (cpu is null ? "" : $" ({cpu})") + (gib is null ? "" : $", {gib} RAM")
            + (kernel is null ? "" : $", Linux {kernel}") + $", {RuntimeInformation.FrameworkDescription}";
    }

    private static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
}
