using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>The noop plugins' assemblies loaded into the agent (McMaster isolated contexts) behind the same clients.</summary>
public class InProcessPluginTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Lays out <c>&lt;dir&gt;/&lt;id&gt;/</c> with the plugin's build output, the documented in-process layout.</summary>
    private static void AddInProcess(PluginDirectory dir, string id, string? folderName = null)
    {
        var target = Directory.CreateDirectory(Path.Combine(dir.Path, folderName ?? id)).FullName;
        foreach (var file in Directory.EnumerateFiles(TestPaths.PluginBuildDir(id)))
        {
            var name = Path.GetFileName(file);
            if (folderName is not null && name.StartsWith(id + ".", StringComparison.Ordinal)) name = folderName + name[id.Length..];
            File.Copy(file, Path.Combine(target, name));
        }
    }

    private static PluginBlock Block(PluginKind kind, string driver, Dictionary<string, string>? config = null)
        => new(kind, driver, driver, [], config ?? [], PluginLoadMode.InProcess);

    [Fact]
    public async Task Every_call_works_in_process()
    {
        using var dir = new PluginDirectory();
        AddInProcess(dir, "noop-apm");
        AddInProcess(dir, "noop-strategy");
        AddInProcess(dir, "noop-target");
        var logs = new CapturingLoggerFactory();
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = dir.Path }, logs, new NomadSettings { Address = "http://127.0.0.1:4646" });
        await manager.StartAsync(
        [
            Block(PluginKind.Apm, "noop-apm", new() { ["value"] = "3", ["points"] = "2" }),
            Block(PluginKind.Strategy, "noop-strategy", new() { ["count"] = "1" }),
            Block(PluginKind.Target, "noop-target", new() { ["count"] = "6" }),
        ], CancellationToken.None);
        Assert.Null(manager.GetProcessId(PluginKind.Apm, "noop-apm"));

        var points = await manager.GetApm("noop-apm").QueryAsync(new ApmQuery("q", From, From.AddSeconds(10)), CancellationToken.None);
        Assert.Equal([3.0, 3.0], points.Select(p => p.Value));
        Assert.Single(await manager.GetApm("noop-apm").QueryMultipleAsync(new ApmQuery("q", From, From), CancellationToken.None));

        var check = new PolicyCheck("c", "noop-apm", "q", TimeSpan.FromMinutes(1), new StrategyConfig("noop-strategy", PluginSettings.Empty));
        var action = await manager.GetStrategy("noop-strategy").RunAsync(new StrategyRequest(check, points, 6), CancellationToken.None);
        Assert.Equal(ScalingDirection.Down, action.Direction);

        var target = manager.GetTarget("noop-target");
        Assert.Equal(6, (await target.StatusAsync(new Dictionary<string, string>(), CancellationToken.None))!.Count);
        Assert.Equal(ScaleOutcome.Scaled, await target.ScaleAsync(action, new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(1, (await target.StatusAsync(new Dictionary<string, string>(), CancellationToken.None))!.Count);
        // In-process plugins log under internal_plugin.<id>, as upstream's built-ins.
        Assert.Contains(logs.For("internal_plugin.noop-target"), e => e.Level == LogLevel.Information && e.Message.StartsWith("scaling", StringComparison.Ordinal));

        await manager.ReloadAsync([Block(PluginKind.Target, "noop-target", new() { ["no_op"] = "true" })], null, CancellationToken.None);
        Assert.True((await manager.GetTarget("noop-target").ScaleAsync(action, new Dictionary<string, string>(), CancellationToken.None)).IsNoOp);
        Assert.False(manager.Contains(PluginKind.Apm, "noop-apm"));
    }

    [Fact]
    public async Task Invalid_config_carries_field_violations_in_process_too()
    {
        using var dir = new PluginDirectory();
        AddInProcess(dir, "noop-apm");
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = dir.Path }, new CapturingLoggerFactory());
        var ex = await Assert.ThrowsAsync<PluginInvalidConfigException>(() => manager.StartAsync([Block(PluginKind.Apm, "noop-apm", new() { ["points"] = "0" })], CancellationToken.None));
        Assert.Contains(ex.Violations, v => v.Key == "points");
        Assert.Contains("apm plugin \"noop-apm\" SetConfig failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dll_next_to_the_executable_is_found_too()
    {
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = TestPaths.PluginBuildDir("noop-strategy") }, new CapturingLoggerFactory());
        await manager.StartAsync([Block(PluginKind.Strategy, "noop-strategy")], CancellationToken.None);
        var check = new PolicyCheck("c", "a", "q", TimeSpan.Zero, new StrategyConfig("noop-strategy", PluginSettings.Empty));
        var action = await manager.GetStrategy("noop-strategy").RunAsync(new StrategyRequest(check, [], 2), CancellationToken.None);
        Assert.Equal(ScalingDirection.None, action.Direction);
    }

    [Fact]
    public async Task Load_failures_name_the_plugin_and_the_path()
    {
        using var dir = new PluginDirectory();
        AddInProcess(dir, "noop-apm");
        AddInProcess(dir, "noop-strategy", "renamed-strategy");
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = dir.Path }, new CapturingLoggerFactory());

        var missing = await Assert.ThrowsAsync<PluginLaunchException>(() => manager.StartAsync([Block(PluginKind.Apm, "nothing-here")], CancellationToken.None));
        Assert.Contains($"failed to load in-process apm plugin \"nothing-here\" ({Path.Combine(dir.Path, "nothing-here", "nothing-here.dll")}): no such file", missing.Message, StringComparison.Ordinal);

        var wrongKind = await Assert.ThrowsAsync<PluginLaunchException>(() => manager.StartAsync([Block(PluginKind.Target, "noop-apm")], CancellationToken.None));
        Assert.Contains("the plugin is of type apm, but the block is target", wrongKind.Message, StringComparison.Ordinal);

        var renamed = await Assert.ThrowsAsync<PluginLaunchException>(() => manager.StartAsync([Block(PluginKind.Strategy, "renamed-strategy")], CancellationToken.None));
        Assert.Contains("the plugin reports name \"noop-strategy\", expected the driver name \"renamed-strategy\"", renamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_directory_adapts_the_manager()
    {
        using var dir = new PluginDirectory();
        AddInProcess(dir, "noop-apm");
        AddInProcess(dir, "noop-target");
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = dir.Path }, new CapturingLoggerFactory());
        await manager.StartAsync(
        [
            new PluginBlock(PluginKind.Apm, "metrics", "noop-apm", [], new Dictionary<string, string> { ["value"] = "8" }, PluginLoadMode.InProcess),
            Block(PluginKind.Target, "noop-target", new() { ["count"] = "2" }),
        ], CancellationToken.None);
        var directory = new PluginManagerDirectory(manager);

        Assert.Equal("noop-apm", directory.ApmDriver("metrics"));
        Assert.Null(directory.ApmDriver("noop-apm"));
        Assert.Null(directory.FindStrategy("noop-strategy"));
        Assert.Equal(8, Assert.Single(await directory.FindApm("metrics")!.QueryAsync(new ApmQuery("q", From, From), CancellationToken.None)).Value);
        var target = directory.FindTarget("noop-target")!;
        Assert.Equal(ScaleOutcome.Scaled, await target.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "r"), new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(3, (await target.StatusAsync(new Dictionary<string, string>(), CancellationToken.None))!.Count);

        // After a reload the directory reaches the reconfigured plugin.
        await manager.ReloadAsync([Block(PluginKind.Target, "noop-target", new() { ["no_op"] = "true" })], null, CancellationToken.None);
        Assert.True((await directory.FindTarget("noop-target")!.ScaleAsync(new ScalingAction(4, ScalingDirection.Up, "r"), new Dictionary<string, string>(), CancellationToken.None)).IsNoOp);
    }
}
