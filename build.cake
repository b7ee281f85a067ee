// Build entry point: `dotnet tool restore && dotnet cake --target=<Target>`.
// Targets: Build, Test (every tier; what CI runs), FastTest (unit + conformance only), Publish, Release, Pack, Bench.
using System.Xml.Linq;

var target = Argument("target", "Build");
var configuration = Argument("configuration", "Debug");
var filter = Argument("filter", "");
var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var solution = root.CombineWithFilePath("Plugins.sln");

// Plugins that ship: every project folder under plugins/. The folder name is the plugin id and executable name.
var shippedPlugins = GetDirectories("./plugins/*").Where(d => FileExists(d.CombineWithFilePath(d.GetDirectoryName() + ".csproj"))
    || GetFiles(d.FullPath + "/*.csproj").Any()).ToList();

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
        ArgumentCustomization = a => a.Append("-nodeReuse:false"),
    });
});

void RunTests(string testFilter)
{
    var results = artifacts.Combine("test-results");
    CleanDirectory(results);
    var failed = false;
    try
    {
        DotNetTest(solution.FullPath, new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            Filter = string.IsNullOrEmpty(testFilter) ? null : testFilter,
            Loggers = new[] { "trx", "console;verbosity=normal" },
            ResultsDirectory = results,
            ArgumentCustomization = a => a.Append("-nodeReuse:false"),
        });
    }
    catch (Exception)
    {
        failed = true;
    }

    // dotnet test prints one summary per assembly; CI wants one closing line for the whole run.
    int passed = 0, failedCount = 0, skipped = 0;
    foreach (var trx in GetFiles(results.FullPath + "/**/*.trx"))
    {
        var ns = XNamespace.Get("http://microsoft.com/schemas/VisualStudio/TeamTest/2010");
        var counters = XDocument.Load(trx.FullPath).Descendants(ns + "Counters").FirstOrDefault();
        if (counters == null) continue;
        passed += (int?)counters.Attribute("passed") ?? 0;
        failedCount += ((int?)counters.Attribute("failed") ?? 0) + ((int?)counters.Attribute("error") ?? 0) + ((int?)counters.Attribute("timeout") ?? 0) + ((int?)counters.Attribute("aborted") ?? 0);
        skipped += (int?)counters.Attribute("notExecuted") ?? 0;
    }

    // Plain text on its own line (no colour codes): CI reads this closing line.
    Console.WriteLine();
    Console.WriteLine($"{passed} passed, {failedCount} failed, {skipped} skipped");
    if (failed || failedCount > 0 || passed == 0)
        throw new Exception("tests failed (or none ran)");
}

Task("Test")
    .IsDependentOn("Build")
    .Does(() => RunTests(filter));

Task("FastTest")
    .IsDependentOn("Build")
    .Does(() => RunTests(string.IsNullOrEmpty(filter) ? "Category!=Integration&Category!=EndToEnd" : filter));

Task("Publish")
    .Does(() =>
{
    // Publishes every part even when one fails (a plugin under development must not hide the others' results), then
    // fails naming each part that did not publish or did not answer the go-plugin handshake.
    var dist = artifacts.Combine("dist");
    CleanDirectory(dist);
    EnsureDirectoryExists(dist.Combine("plugins"));
    var staging = artifacts.Combine("publish-staging");
    CleanDirectory(staging);
    var failures = new List<string>();
    var published = new List<(string Name, FilePath File, TimeSpan Took)>();

    void PublishPart(string name, string project, DotNetPublishSettings settings, FilePath builtFile, FilePath distFile)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            DotNetPublish(project, settings);
            CopyFile(builtFile, distFile);
            published.Add((name, distFile, clock.Elapsed));
        }
        catch (Exception ex)
        {
            Error($"{name}: publish failed after {clock.Elapsed.TotalSeconds:F0} s: {ex.Message}");
            failures.Add($"{name} (publish failed)");
        }
    }

    // A plugin that starts must print the go-plugin handshake line (CORE|APP|unix|path|grpc|) when run with the magic cookie.
    // Native AOT can publish cleanly and still fail at run time (trimmed reflection), so run each one once.
    string HandshakeProblem(FilePath plugin)
    {
        var socketDir = System.IO.Directory.CreateTempSubdirectory("nomad-autoscaler-publish-check-").FullName;
        var startInfo = new System.Diagnostics.ProcessStartInfo(plugin.FullPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.Environment["NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE"] = "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3";
        startInfo.Environment["PLUGIN_PROTOCOL_VERSIONS"] = "1";
        startInfo.Environment["PLUGIN_MIN_PORT"] = "10000";
        startInfo.Environment["PLUGIN_MAX_PORT"] = "25000";
        startInfo.Environment["PLUGIN_UNIX_SOCKET_DIR"] = socketDir;
        try
        {
            using var process = System.Diagnostics.Process.Start(startInfo);
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                var line = process.StandardOutput.ReadLineAsync();
                // Generous: start-up takes 1-2 s on a loaded 2-core machine.
                if (!line.Wait(TimeSpan.FromSeconds(30))) return "no handshake line within 30 s";
                var fields = (line.Result ?? "").Split('|');
                if (fields.Length < 5 || fields[0] != "1" || fields[1] != "1" || fields[4] != "grpc")
                    return $"unexpected first stdout line \"{line.Result}\"; stderr: {(stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result.Trim() : "")}";
                Verbose($"{plugin.GetFilename()}: {line.Result}");
                return null;
            }
            finally
            {
                if (!process.HasExited) process.Kill();
                process.WaitForExit();
            }
        }
        finally
        {
            System.IO.Directory.Delete(socketDir, recursive: true);
        }
    }

    PublishPart("nomad-autoscaler", "./core/NomadAutoscaler.Agent/NomadAutoscaler.Agent.csproj", new DotNetPublishSettings
    {
        Configuration = "Release",
        Runtime = "linux-x64",
        // Self-contained: the release archive runs on a machine without .NET (docs/deploy.md).
        SelfContained = true,
        PublishSingleFile = true,
        OutputDirectory = staging.Combine("agent"),
        ArgumentCustomization = a => a.Append("-p:BundleBuiltInPlugins=false").Append("-nodeReuse:false"),
    }, staging.CombineWithFilePath("agent/nomad-autoscaler"), dist.CombineWithFilePath("nomad-autoscaler"));

    foreach (var plugin in shippedPlugins)
    {
        var id = plugin.GetDirectoryName();
        var output = staging.Combine("plugins").Combine(id);
        var distFile = dist.Combine("plugins").CombineWithFilePath(id);
        // Native AOT, tuned for size and without the background GC thread: the smaller image starts faster and a plugin's
        // small heap needs no concurrent GC (docs/performance.md, "Plugin RPC", measures it against the speed-tuned
        // default). bench/NomadAutoscaler.Bench publishes its shipped noop-apm with the same switches: keep them in step.
        PublishPart(id, plugin.FullPath, new DotNetPublishSettings
        {
            Configuration = "Release",
            Runtime = "linux-x64",
            OutputDirectory = output,
            ArgumentCustomization = a => a.Append("-p:PublishAot=true").Append("-p:StripSymbols=true")
                .Append("-p:OptimizationPreference=Size").Append("-p:ConcurrentGarbageCollection=false").Append("-nodeReuse:false"),
        }, output.CombineWithFilePath(id), distFile);
        if (!FileExists(distFile)) continue;
        var problem = HandshakeProblem(distFile);
        if (problem != null)
        {
            Error($"{id}: {problem}");
            failures.Add($"{id} (no handshake: {problem})");
        }
    }

    Information("");
    foreach (var (name, file, took) in published)
        Information($"{name,-18} {new System.IO.FileInfo(file.FullPath).Length / 1024.0 / 1024.0,6:F1} MiB  {took.TotalSeconds,4:F0} s  {file}");
    Information($"Published to {dist}: {published.Count} of {shippedPlugins.Count + 1} parts");
    if (failures.Count > 0)
        throw new Exception($"not published or not working: {string.Join(", ", failures)}");
});

Task("Release")
    .IsDependentOn("Publish")
    .Does(() =>
{
    // artifacts/release/nomad-autoscaler_<version>_linux_amd64.tar.gz and SHA256SUMS (docs/deploy.md). The version is
    // what the published agent prints, run without any .NET on PATH or DOTNET_ROOT: that proves it self-contained.
    var dist = artifacts.Combine("dist");
    var release = artifacts.Combine("release");
    CleanDirectory(release);
    var versionLine = RunWithoutDotNet(dist.CombineWithFilePath("nomad-autoscaler"), "version").Trim();
    var match = System.Text.RegularExpressions.Regex.Match(versionLine, @"^Nomad Autoscaler v(\S+)( \(([0-9a-f]+)\))?$");
    if (!match.Success) throw new Exception($"nomad-autoscaler version printed \"{versionLine}\"");
    var name = $"nomad-autoscaler_{match.Groups[1].Value}_linux_amd64";
    var staging = artifacts.Combine("release-staging").Combine(name);
    CleanDirectory(staging);
    CopyFile(dist.CombineWithFilePath("nomad-autoscaler"), staging.CombineWithFilePath("nomad-autoscaler"));
    CopyDirectory(dist.Combine("plugins"), staging.Combine("plugins"));
    CopyDirectory(root.Combine("deploy/release/config"), staging.Combine("config"));
    // The mission's pool policy, as the operator wrote it.
    CopyDirectory(root.Combine("examples/seed/policies"), staging.Combine("policies"));
    CopyFile(root.CombineWithFilePath("README.md"), staging.CombineWithFilePath("README.md"));
    CopyFile(root.CombineWithFilePath("docs/deploy.md"), staging.CombineWithFilePath("DEPLOY.md"));
    CopyFile(root.CombineWithFilePath("LICENSE"), staging.CombineWithFilePath("LICENSE"));

    var archive = release.CombineWithFilePath(name + ".tar.gz");
    // Sorted names, fixed owner and root-owned modes: the archive's listing does not depend on the build machine.
    var tar = StartProcess("tar", new ProcessSettings
    {
        Arguments = $"--sort=name --owner=0 --group=0 --numeric-owner -czf \"{archive.FullPath}\" -C \"{staging.GetParent().FullPath}\" {name}",
    });
    if (tar != 0) throw new Exception($"tar exited {tar}");
    string Sha256(FilePath file)
    {
        using var stream = System.IO.File.OpenRead(file.FullPath);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    // sha256sum's format, so operators (and CI) check it with `sha256sum -c SHA256SUMS`.
    System.IO.File.WriteAllText(release.CombineWithFilePath("SHA256SUMS").FullPath, $"{Sha256(archive)}  {archive.GetFilename()}\n");
    var check = StartProcess("sha256sum", new ProcessSettings { Arguments = "-c SHA256SUMS", WorkingDirectory = release });
    if (check != 0) throw new Exception("sha256sum -c SHA256SUMS failed");

    // The unpacked archive's agent must run, and validate the sample files it ships, without .NET.
    var unpacked = artifacts.Combine("release-check");
    CleanDirectory(unpacked);
    if (StartProcess("tar", new ProcessSettings { Arguments = $"-xzf \"{archive.FullPath}\" -C \"{unpacked.FullPath}\"" }) != 0)
        throw new Exception("the archive does not unpack");
    var expected = new[] { "LICENSE", "README.md", "DEPLOY.md", "nomad-autoscaler" }
        .Concat(shippedPlugins.Select(p => "plugins/" + p.GetDirectoryName()));
    var missing = expected.Where(f => !FileExists(unpacked.Combine(name).CombineWithFilePath(f))).ToList();
    if (missing.Count > 0) throw new Exception($"the archive lacks {string.Join(", ", missing)}");
    var agent = unpacked.Combine(name).CombineWithFilePath("nomad-autoscaler");
    var unpackedVersion = RunWithoutDotNet(agent, "version").Trim();
    if (unpackedVersion != versionLine) throw new Exception($"the unpacked agent prints \"{unpackedVersion}\", not \"{versionLine}\"");
    Information(RunWithoutDotNet(agent, $"validate {unpacked.Combine(name).Combine("config").FullPath} {unpacked.Combine(name).Combine("policies").FullPath}").Trim());
    Information($"{archive} ({new System.IO.FileInfo(archive.FullPath).Length / 1024.0 / 1024.0:F1} MiB): {versionLine}");
});

// Runs a published executable in a mount namespace where the .NET installation this build runs on is an empty
// directory (and DOTNET_* is unset), so a framework-dependent build could not start; returns stdout, or throws.
string RunWithoutDotNet(FilePath executable, string arguments)
{
    var dotnetRoot = System.IO.Path.GetDirectoryName(Environment.ProcessPath);
    var startInfo = new System.Diagnostics.ProcessStartInfo("unshare")
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    // Root may make a mount namespace; anyone else needs a user namespace for it.
    if (Environment.UserName != "root") startInfo.ArgumentList.Add("--map-root-user");
    foreach (var argument in new[] { "--mount", "sh", "-c", "mount -t tmpfs none \"$0\" && exec \"$@\"", dotnetRoot, executable.FullPath })
        startInfo.ArgumentList.Add(argument);
    foreach (var argument in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        startInfo.ArgumentList.Add(argument);
    foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)).ToList())
        startInfo.Environment.Remove(key);
    using var process = System.Diagnostics.Process.Start(startInfo);
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    if (!process.WaitForExit(60_000)) { process.Kill(); throw new Exception($"{executable} {arguments}: no exit within 60 s"); }
    if (process.ExitCode != 0) throw new Exception($"{executable} {arguments} exited {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
    return stdout.Result;
}

Task("Pack")
    .Does(() =>
{
    // Release packages for third-party plugin authors. The plugin SDK packages' version lives in
    // sdk/Directory.Build.props; --packageVersion=x.y.z overrides it (the four move together, so the template references
    // a matching SDK). NomadAutoscaler.Nomad has a version of its own (its csproj); --nomadPackageVersion=x.y.z overrides
    // that. The SDK version reaches its pack too, so its dependency on the SDK names the SDK packed here.
    var packages = artifacts.Combine("packages");
    CleanDirectory(packages);
    var version = Argument("packageVersion", "");
    var nomadVersion = Argument("nomadPackageVersion", "");
    foreach (var project in new[] {
        "./sdk/NomadAutoscaler.Plugins.Contracts/NomadAutoscaler.Plugins.Contracts.csproj",
        "./sdk/NomadAutoscaler.Plugins.Sdk/NomadAutoscaler.Plugins.Sdk.csproj",
        "./sdk/NomadAutoscaler.Plugins.Sdk.Testing/NomadAutoscaler.Plugins.Sdk.Testing.csproj",
        "./sdk/NomadAutoscaler.Plugins.Templates/NomadAutoscaler.Plugins.Templates.csproj",
        "./sdk/NomadAutoscaler.Nomad/NomadAutoscaler.Nomad.csproj" })
    {
        var settings = new DotNetPackSettings
        {
            Configuration = "Release",
            OutputDirectory = packages,
            ArgumentCustomization = a => a.Append("-nodeReuse:false"),
            MSBuildSettings = new DotNetMSBuildSettings(),
        };
        if (!string.IsNullOrEmpty(version)) settings.MSBuildSettings.SetVersion(version);
        if (!string.IsNullOrEmpty(nomadVersion)) settings.MSBuildSettings.WithProperty("NomadPackageVersion", nomadVersion);
        DotNetPack(project, settings);
    }

    foreach (var package in GetFiles(packages.FullPath + "/*.nupkg"))
        Information($"{package.GetFilename()}");
});

Task("Bench")
    .Does(() =>
{
    foreach (var bench in GetFiles("./bench/*/*.csproj"))
    {
        DotNetRun(bench.FullPath, new DotNetRunSettings { Configuration = "Release" });
    }
});

RunTarget(target);
