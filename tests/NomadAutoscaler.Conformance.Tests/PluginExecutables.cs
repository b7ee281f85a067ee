namespace NomadAutoscaler.Conformance.Tests;

/// <summary>Finds built plugin executables under artifacts/bin/&lt;id&gt;/debug/&lt;id&gt; of the repository.</summary>
internal static class PluginExecutables
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path(string id)
    {
        var path = System.IO.Path.Combine(RepositoryRoot, "artifacts", "bin", id, "debug", OperatingSystem.IsWindows() ? id + ".exe" : id);
        Assert.True(File.Exists(path), $"plugin executable {path} is missing; build tests/TestPlugins/{id} first");
        return path;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Plugins.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"no Plugins.sln above {AppContext.BaseDirectory}");
    }
}
