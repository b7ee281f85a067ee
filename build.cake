// Build entry point: `dotnet tool restore && dotnet cake --target=<Target>`.
// Targets: Build, Test (every tier; what CI runs), FastTest (unit + conformance only), Publish, Pack, Bench.
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
    var dist = artifacts.Combine("dist");
    CleanDirectory(dist);
    EnsureDirectoryExists(dist.Combine("plugins"));
    var staging = artifacts.Combine("publish-staging");
    CleanDirectory(staging);

    DotNetPublish("./core/NomadAutoscaler.Agent/NomadAutoscaler.Agent.csproj", new DotNetPublishSettings
    {
        Configuration = "Release",
        Runtime = "linux-x64",
        SelfContained = false,
        PublishSingleFile = true,
        OutputDirectory = staging.Combine("agent"),
        ArgumentCustomization = a => a.Append("-p:BundleBuiltInPlugins=false"),
    });
    CopyFile(staging.CombineWithFilePath("agent/nomad-autoscaler"), dist.CombineWithFilePath("nomad-autoscaler"));

    foreach (var plugin in shippedPlugins)
    {
        var id = plugin.GetDirectoryName();
        var output = staging.Combine("plugins").Combine(id);
        // Native AOT: ~110 ms start-up and ~22 MiB RSS against ~420 ms / 68 MiB for JIT (docs/performance.md).
        DotNetPublish(plugin.FullPath, new DotNetPublishSettings
        {
            Configuration = "Release",
            Runtime = "linux-x64",
            OutputDirectory = output,
            ArgumentCustomization = a => a.Append("-p:PublishAot=true").Append("-p:StripSymbols=true"),
        });
        CopyFile(output.CombineWithFilePath(id), dist.Combine("plugins").CombineWithFilePath(id));
    }
    Information($"Published to {dist}: nomad-autoscaler and {shippedPlugins.Count} plugins");
});

Task("Pack")
    .Does(() =>
{
    var packages = artifacts.Combine("packages");
    CleanDirectory(packages);
    foreach (var project in new[] {
        "./sdk/NomadAutoscaler.Plugins.Contracts/NomadAutoscaler.Plugins.Contracts.csproj",
        "./sdk/NomadAutoscaler.Plugins.Sdk/NomadAutoscaler.Plugins.Sdk.csproj",
        "./sdk/NomadAutoscaler.Plugins.Sdk.Testing/NomadAutoscaler.Plugins.Sdk.Testing.csproj" })
    {
        DotNetPack(project, new DotNetPackSettings { Configuration = "Release", OutputDirectory = packages });
    }
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
