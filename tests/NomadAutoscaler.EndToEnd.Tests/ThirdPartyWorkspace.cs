using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>A third party's machine in a temp folder outside the solution: a local feed holding only the packed
/// .nupkg files (the current SDK version and the previous minor one, and the Nomad client package), a NuGet.config
/// that takes NomadAutoscaler.* from that feed only and everything else (Grpc, xunit, ...) from the machine's normal
/// sources, and a private DOTNET_CLI_HOME and NUGET_PACKAGES so nothing leaks into or out of the developer's own caches.</summary>
/// <remarks>The packages are packed here with <c>dotnet pack --no-build</c> from the Debug build this test project
/// already depends on (see the csproj), rather than by making build.cake's Test target depend on Pack: the test then runs
/// the same from <c>dotnet test</c> alone, the packages cannot be stale, packing takes seconds instead of a Release
/// rebuild, and the previous-minor packages for the compatibility test come from the same mechanism.</remarks>
public sealed class ThirdPartyWorkspace : IAsyncLifetime
{
    private static readonly string[] PackedProjects =
    [
        "sdk/NomadAutoscaler.Plugins.Contracts/NomadAutoscaler.Plugins.Contracts.csproj",
        "sdk/NomadAutoscaler.Plugins.Sdk/NomadAutoscaler.Plugins.Sdk.csproj",
        "sdk/NomadAutoscaler.Plugins.Sdk.Testing/NomadAutoscaler.Plugins.Sdk.Testing.csproj",
        "sdk/NomadAutoscaler.Plugins.Templates/NomadAutoscaler.Plugins.Templates.csproj",
    ];

    /// <summary>Packed once, at its own version: it is versioned apart from the SDK packages, so a previous-minor pack
    /// would only overwrite the same file with a dependency on the older SDK.</summary>
    private const string NomadPackageProject = "sdk/NomadAutoscaler.Nomad/NomadAutoscaler.Nomad.csproj";

    public string Root { get; } = Directory.CreateTempSubdirectory("nomad-autoscaler-third-party-").FullName;

    public string Feed => Path.Combine(Root, "feed");

    public string PackagesCache => Path.Combine(Root, "nuget-packages");

    /// <summary>The SDK version in sdk/Directory.Build.props, as packed.</summary>
    public Version CurrentVersion { get; private set; } = null!;

    /// <summary>The previous minor version (x.(y-1).0), packed from the same sources.</summary>
    public Version PreviousVersion { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        foreach (var project in PackedProjects.Append(NomadPackageProject))
            await RunDotnetAsync(AgentProcess.RepoRoot, TimeSpan.FromMinutes(3), "pack", Path.Combine(AgentProcess.RepoRoot, project), "--no-build", "-c", "Debug", "-o", Feed, "-nodeReuse:false");
        var sdkPackage = Directory.GetFiles(Feed, "NomadAutoscaler.Plugins.Sdk.*.nupkg").Select(Path.GetFileNameWithoutExtension)
            .Single(n => char.IsDigit(n!["NomadAutoscaler.Plugins.Sdk.".Length]))!;
        CurrentVersion = Version.Parse(sdkPackage["NomadAutoscaler.Plugins.Sdk.".Length..]);
        Assert.True(CurrentVersion.Minor > 0, $"SDK version {CurrentVersion} has no previous minor version to test against");
        PreviousVersion = new Version(CurrentVersion.Major, CurrentVersion.Minor - 1, 0);
        foreach (var project in PackedProjects)
            await RunDotnetAsync(AgentProcess.RepoRoot, TimeSpan.FromMinutes(3), "pack", Path.Combine(AgentProcess.RepoRoot, project), "--no-build", "-c", "Debug", "-o", Feed, "-nodeReuse:false", $"-p:Version={PreviousVersion}");
        WriteNuGetConfig();
    }

    /// <summary>Installs the template package of <paramref name="version"/> into its own template hive.</summary>
    public async Task<string> InstallTemplatesAsync(Version version)
    {
        var hive = Path.Combine(Root, "hive-" + version);
        if (Directory.Exists(hive)) return hive;
        await RunDotnetAsync(Root, TimeSpan.FromMinutes(2), "new", "install", Path.Combine(Feed, $"NomadAutoscaler.Plugins.Templates.{version}.nupkg"), "--debug:custom-hive", hive);
        return hive;
    }

    /// <summary>A plugin dir as an operator has it: the agent's bundled built-in plugins plus the dropped-in file.</summary>
    public string CreatePluginDir(string name, string pluginFile)
    {
        var dir = Path.Combine(Root, name);
        var bundled = Path.Combine(AgentProcess.AgentDirectory, "plugins");
        foreach (var file in Directory.GetFiles(bundled, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(dir, Path.GetRelativePath(bundled, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        File.Copy(pluginFile, Path.Combine(dir, Path.GetFileName(pluginFile)));
        return dir;
    }

    /// <summary>Runs the dotnet CLI as the third party would, failing with its whole output when it exits non-zero.</summary>
    public async Task<string> RunDotnetAsync(string workingDirectory, TimeSpan timeout, params string[] args)
        => await RunDotnetAsync(workingDirectory, timeout, new Dictionary<string, string>(), args);

    public async Task<string> RunDotnetAsync(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetPath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The test host's MSBuild/VSTest variables would point the child at this solution's build, not a clean one.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_HOME"] = Path.Combine(Root, "home");
        info.Environment["NUGET_PACKAGES"] = PackagesCache;
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment) info.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:\n{output}");
        }

        if (process.ExitCode != 0) Assert.Fail($"dotnet {string.Join(' ', args)} exited {process.ExitCode} in {workingDirectory}:\n{output}");
        lock (output) return output.ToString();
    }

    private static string DotnetPath => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void WriteNuGetConfig()
    {
        // NomadAutoscaler.* resolves from the local feed only (package source mapping), so a package that was not
        // packed here cannot sneak in from anywhere else; the SDK's own dependencies come from the machine's sources.
        var sources = new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "local-packed"), new XAttribute("value", Feed)));
        var mapping = new XElement("packageSourceMapping", new XElement("packageSource", new XAttribute("key", "local-packed"), new XElement("package", new XAttribute("pattern", "NomadAutoscaler.*"))));
        foreach (var (key, url) in MachineSources())
        {
            sources.Add(new XElement("add", new XAttribute("key", key), new XAttribute("value", url)));
            mapping.Add(new XElement("packageSource", new XAttribute("key", key), new XElement("package", new XAttribute("pattern", "*"))));
        }

        new XDocument(new XElement("configuration", sources, mapping)).Save(Path.Combine(Root, "NuGet.config"));
    }

    private static List<(string Key, string Url)> MachineSources()
    {
        var userConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        var found = File.Exists(userConfig)
            ? XDocument.Load(userConfig).Descendants("packageSources").Elements("add")
                .Select(e => ((string?)e.Attribute("key"), (string?)e.Attribute("value")))
                .Where(s => s.Item1 is not null && s.Item2 is not null).Select(s => (s.Item1!, s.Item2!)).ToList()
            : [];
        return found.Count > 0 ? found : [("nuget.org", "https://api.nuget.org/v3/index.json")];
    }

    public Task DisposeAsync()
    {
        // Node reuse and the MSBuild server are off for every child, so no build process outlives the test here.
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }
}
