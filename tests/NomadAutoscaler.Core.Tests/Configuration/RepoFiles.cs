namespace NomadAutoscaler.Core.Tests.Configuration;

/// <summary>Files of the repository that tests read in place (the seed examples, the broken-file corpus).</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Seed => Path.Combine(Root, "examples", "seed");

    public static string Corpus(string kind) => Path.Combine(Root, "tests", "NomadAutoscaler.Core.Tests", "Corpus", kind);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no Plugins.sln above " + AppContext.BaseDirectory);
    }
}
