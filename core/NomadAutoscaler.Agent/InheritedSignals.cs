using System.Globalization;
using System.Runtime.InteropServices;

namespace NomadAutoscaler.Agent;

/// <summary>
/// A shell starts a background job (<c>agent &amp;</c> in a script) with SIGINT ignored, and <c>nohup</c> ignores
/// SIGHUP. .NET keeps an ignored signal ignored even when a <see cref="PosixSignalRegistration"/> asks for it (its
/// handler is only installed over a default disposition), so such an agent never sees Ctrl-C, <c>kill -INT</c> or a
/// reload. Upstream's Go agent does: Go handles SIGTERM whatever was inherited, and un-ignores SIGHUP and SIGINT once
/// the program subscribes to them. This puts each signal the agent handles back to its default disposition before
/// the runtime sets up signal handling, so the runtime then installs its handler as usual. (The runtime already takes
/// SIGTERM over before <c>Main</c>, whatever was inherited; it is in the list in case a runtime setting stops that.)
/// </summary>
internal static class InheritedSignals
{
    // Linux numbers, the same on every architecture .NET runs on.
    private static readonly (int Number, string Name)[] Handled = [(1, "SIGHUP"), (2, "SIGINT"), (15, "SIGTERM")];

    private static readonly nint SigDfl = 0;

    /// <summary>The signals that were ignored when the process started and are handled now; for the agent's log.</summary>
    public static IReadOnlyList<string> Restored { get; private set; } = [];

    /// <summary>Must run before anything touches <see cref="Console"/>, <see cref="System.Diagnostics.Process"/> or
    /// <see cref="PosixSignalRegistration"/>: the first of those installs the runtime's handlers and reads the
    /// dispositions once.</summary>
    public static void Restore()
    {
        if (!OperatingSystem.IsLinux()) return;
        var ignored = IgnoredMask(File.ReadLines("/proc/self/status"));
        var restored = new List<string>();
        foreach (var (number, name) in Handled)
        {
            if ((ignored & (1UL << (number - 1))) == 0) continue;
            if (Signal(number, SigDfl) != -1) restored.Add(name);
        }

        Restored = restored;
    }

    /// <summary>The <c>SigIgn</c> line of <c>/proc/self/status</c>: bit n-1 set when signal n is ignored.</summary>
    internal static ulong IgnoredMask(IEnumerable<string> status)
    {
        foreach (var line in status)
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                return ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return 0;
    }

    // DllImport rather than LibraryImport: both types are blittable, and the latter would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "signal")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint Signal(int signum, nint handler);
}
