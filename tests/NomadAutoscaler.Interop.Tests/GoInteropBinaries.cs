namespace NomadAutoscaler.Interop.Tests;

/// <summary>Locates the Go interop executables that tests/interop/go/build.sh builds into artifacts/interop/bin,
/// and our C# test plugins in artifacts/bin. Uses nothing but the BCL, so other test projects can link this file
/// (<c>&lt;Compile Include="../NomadAutoscaler.Interop.Tests/GoInteropBinaries.cs" Link="..." /&gt;</c>).</summary>
public static class GoInteropBinaries
{
    /// <summary>The script that builds the Go executables, relative to the repository root.</summary>
    public const string BuildScript = "tests/interop/go/build.sh";

    private static readonly string[] _kinds = ["apm", "strategy", "target"];
    private static readonly Lazy<string> _repoRoot = new(FindRepoRoot);

    /// <summary>The repository root: the nearest directory above the test binaries that holds Plugins.sln.</summary>
    public static string RepoRoot => _repoRoot.Value;

    /// <summary>Where build.sh puts the Go executables.</summary>
    public static string BinDirectory => Path.Combine(RepoRoot, "artifacts", "interop", "bin");

    /// <summary>goplugin-host: the hashicorp/go-plugin client that drives one plugin through every RPC of its kind.</summary>
    public static string HostPath => Path.Combine(BinDirectory, "goplugin-host");

    /// <summary>A Go plugin served by hashicorp/go-plugin: goplugin-noop-apm, -strategy or -target.</summary>
    /// <param name="kind">apm, strategy or target.</param>
    public static string GoNoopPluginPath(string kind) => Path.Combine(BinDirectory, "goplugin-noop-" + CheckKind(kind));

    /// <summary>govalues: prints what Go's strconv, fmt and time packages make of fixed inputs, as JSON.</summary>
    public static string GoValuesPath => Path.Combine(BinDirectory, "govalues");

    /// <summary>The plugin name a Go noop plugin reports in PluginInfo (also its file name).</summary>
    /// <param name="kind">apm, strategy or target.</param>
    public static string GoNoopPluginName(string kind) => "goplugin-noop-" + CheckKind(kind);

    /// <summary>Our C# noop test plugin of tests/TestPlugins (noop-apm, noop-strategy, noop-target).</summary>
    /// <param name="kind">apm, strategy or target.</param>
    public static string OurNoopPluginPath(string kind)
    {
        var name = "noop-" + CheckKind(kind);
        return Path.Combine(RepoRoot, "artifacts", "bin", name, "debug", name);
    }

    /// <summary>The given paths that do not exist as files.</summary>
    /// <param name="paths">Executable paths to check.</param>
    public static IReadOnlyList<string> Missing(params string[] paths) => [.. paths.Where(p => !File.Exists(p))];

    private static string CheckKind(string kind) => _kinds.Contains(kind, StringComparer.Ordinal)
        ? kind
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, "kind must be apm, strategy or target");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"no Plugins.sln in {AppContext.BaseDirectory} or any directory above it");
    }
}
