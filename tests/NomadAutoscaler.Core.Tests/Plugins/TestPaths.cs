namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>Where the test plugins are: the repository's artifacts and the fake plugin scripts.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string FakePlugins => Path.Combine(RepoRoot, "tests", "TestPlugins", "fake-plugins");

    /// <summary>The build output folder of a test plugin project (its executable and dll).</summary>
    public static string PluginBuildDir(string id) => Path.Combine(RepoRoot, "artifacts", "bin", id, "debug");

    public static string OrphanHost => Path.Combine(PluginBuildDir("orphan-host"), "plugin-orphan-host");

    public static string GoPluginsDir => Path.Combine(RepoRoot, "artifacts", "interop", "bin");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Plugins.sln) above " + AppContext.BaseDirectory);
    }
}
