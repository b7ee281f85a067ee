using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>The SDK's noop plugins as real processes behind the PluginManager: every RPC, errors, reload, crash and shutdown.</summary>
public class ExternalPluginTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PluginBlock Block(PluginKind kind, string driver, Dictionary<string, string>? config = null, string? name = null)
        => new(kind, name ?? driver, driver, [], config ?? []);

    private static PluginManager CreateManager(PluginDirectory dir, ILoggerFactory logs, TimeProvider? time = null, NomadSettings? nomad = null)
        => new(new PluginHostOptions { PluginDir = dir.Path, StartTimeout = TimeSpan.FromSeconds(30), TimeProvider = time ?? TimeProvider.System }, logs, nomad);

    private static PluginDirectory AllNoops()
    {
        var dir = new PluginDirectory();
        dir.AddNoop("noop-apm");
        dir.AddNoop("noop-strategy");
        dir.AddNoop("noop-target");
        return dir;
    }

    [Fact]
    public async Task Every_rpc_works_against_the_noop_plugins()
    {
        using var dir = AllNoops();
        var logs = new CapturingLoggerFactory();
        await using var manager = CreateManager(dir, logs);
        await manager.StartAsync(
        [
            Block(PluginKind.Apm, "noop-apm", new() { ["value"] = "2.5", ["points"] = "3" }),
            Block(PluginKind.Strategy, "noop-strategy", new() { ["count"] = "4" }),
            Block(PluginKind.Target, "noop-target", new() { ["count"] = "2" }),
        ], CancellationToken.None);

        var apm = manager.GetApm("noop-apm");
        var points = await apm.QueryAsync(new ApmQuery("ignored", From, From.AddMinutes(1)), CancellationToken.None);
        Assert.Equal([2.5, 2.5, 2.5], points.Select(p => p.Value));
        Assert.Equal(From, points[0].Timestamp);
        Assert.Equal(From.AddMinutes(1), points[2].Timestamp);
        var multiple = await apm.QueryMultipleAsync(new ApmQuery("7", From, From), CancellationToken.None);
        Assert.Equal([7.0, 7.0, 7.0], Assert.Single(multiple).Select(p => p.Value));

        var strategy = manager.GetStrategy("noop-strategy");
        var check = new PolicyCheck("cpu", "noop-apm", "q", TimeSpan.FromMinutes(1), new StrategyConfig("noop-strategy", PluginSettings.Empty));
        var action = await strategy.RunAsync(new StrategyRequest(check, points, 2), CancellationToken.None);
        Assert.Equal(4, action.Count);
        Assert.Equal(ScalingDirection.Up, action.Direction);
        Assert.Equal("noop-strategy: scaling from 2 to 4", action.Reason);
        Assert.Equal(3L, action.Meta["metrics"]);

        var target = manager.GetTarget("noop-target");
        var status = await target.StatusAsync(new Dictionary<string, string> { [ITargetClient.GrpcTimeoutKey] = "7.5s" }, CancellationToken.None);
        Assert.True(status!.Ready);
        Assert.Equal(2, status.Count);
        Assert.Equal(ScaleOutcome.Scaled, await target.ScaleAsync(action, new Dictionary<string, string>(), CancellationToken.None));
        var after = await target.StatusAsync(new Dictionary<string, string>(), CancellationToken.None);
        Assert.Equal(4, after!.Count);
        Assert.True(after.Meta.ContainsKey(TargetStatusMeta.LastEvent));

        Assert.Equal(3, logs.Entries.Count(e => e.Name == "agent.plugin_manager" && e.Message == "successfully launched and dispensed plugin"));
        // The SDK plugins log hclog JSON on stderr; it must come back under external_plugin.<id> at its own level.
        await Eventually.WaitUntilAsync(() => logs.For("external_plugin.noop-target").Any(e => e.Message.StartsWith("scaling", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "noop-target's scaling log line");
        Assert.Equal(LogLevel.Information, logs.For("external_plugin.noop-target").First(e => e.Message.StartsWith("scaling", StringComparison.Ordinal)).Level);
    }

    [Fact]
    public async Task Plugin_errors_map_to_typed_exceptions()
    {
        using var dir = AllNoops();
        await using var manager = CreateManager(dir, new CapturingLoggerFactory());
        await manager.StartAsync([Block(PluginKind.Target, "noop-target", new() { ["no_op"] = "true" }), Block(PluginKind.Apm, "noop-apm")], CancellationToken.None);
        var target = manager.GetTarget("noop-target");
        var noOp = await target.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "r"), new Dictionary<string, string>(), CancellationToken.None);
        Assert.True(noOp.IsNoOp);
        // The reason travels as the ABORTED status detail and ends up in the decision history.
        Assert.Equal("noop-target is configured to answer no-op (no_op = true)", noOp.Reason);

        await manager.ReloadAsync([Block(PluginKind.Target, "noop-target", new() { ["fail_scale"] = "true" }), Block(PluginKind.Apm, "noop-apm")], null, CancellationToken.None);
        var failure = await Assert.ThrowsAsync<PluginException>(() => target.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "r"), new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal("noop-target", failure.PluginName);
        Assert.Equal(PluginKind.Target, failure.Kind);
        Assert.NotNull(failure.StatusCode);
        Assert.Contains("target plugin \"noop-target\" Scale failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains("fail_scale = true", failure.Message, StringComparison.Ordinal);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager.GetApm("noop-apm").QueryAsync(new ApmQuery("q", From, From), cancelled.Token));
    }

    [Fact]
    public async Task Invalid_config_fails_start_with_field_violations()
    {
        using var dir = AllNoops();
        await using var manager = CreateManager(dir, new CapturingLoggerFactory());
        var ex = await Assert.ThrowsAsync<PluginInvalidConfigException>(() => manager.StartAsync(
            [Block(PluginKind.Apm, "noop-apm", new() { ["points"] = "many", ["valeu"] = "1" })], CancellationToken.None));
        Assert.Equal("noop-apm", ex.PluginName);
        Assert.Contains("apm plugin \"noop-apm\" SetConfig failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Violations, v => v.Key == "points");
        Assert.Contains(ex.Violations, v => v.Key == "valeu");
    }

    [Fact]
    public async Task Reload_removes_reconfigures_and_adds_plugins()
    {
        using var dir = AllNoops();
        var nomad = new NomadSettings { Address = "http://127.0.0.1:4646" };
        await using var manager = CreateManager(dir, new CapturingLoggerFactory(), nomad: nomad);
        await manager.StartAsync([Block(PluginKind.Apm, "noop-apm", new() { ["value"] = "1" }), Block(PluginKind.Strategy, "noop-strategy")], CancellationToken.None);
        var apmPid = manager.GetProcessId(PluginKind.Apm, "noop-apm")!.Value;
        var strategyPid = manager.GetProcessId(PluginKind.Strategy, "noop-strategy")!.Value;
        Assert.Equal("http://127.0.0.1:4646", manager.Blocks.Single(b => b.Kind == PluginKind.Apm).Config["nomad_address"]);

        await manager.ReloadAsync([Block(PluginKind.Apm, "noop-apm", new() { ["value"] = "9" }), Block(PluginKind.Target, "noop-target")], nomad, CancellationToken.None);

        Assert.Equal(apmPid, manager.GetProcessId(PluginKind.Apm, "noop-apm"));
        var points = await manager.GetApm("noop-apm").QueryAsync(new ApmQuery("x", From, From), CancellationToken.None);
        Assert.Equal(9, Assert.Single(points).Value);
        Assert.False(manager.Contains(PluginKind.Strategy, "noop-strategy"));
        await Eventually.WaitUntilAsync(() => !ProcessProbe.IsAlive(strategyPid), TimeSpan.FromSeconds(10), "removed plugin exits");
        Assert.NotNull(await manager.GetTarget("noop-target").StatusAsync(new Dictionary<string, string>(), CancellationToken.None));
    }

    [Fact]
    public async Task Shutdown_stops_plugins_gracefully_well_within_the_grace_period()
    {
        using var dir = AllNoops();
        var manager = CreateManager(dir, new CapturingLoggerFactory());
        await manager.StartAsync([Block(PluginKind.Apm, "noop-apm"), Block(PluginKind.Target, "noop-target")], CancellationToken.None);
        var pids = new[] { manager.GetProcessId(PluginKind.Apm, "noop-apm")!.Value, manager.GetProcessId(PluginKind.Target, "noop-target")!.Value };
        var socketDir = manager.SocketDirectory;
        var stopwatch = Stopwatch.StartNew();
        await manager.DisposeAsync();
        stopwatch.Stop();
        // The Shutdown RPC makes them exit on their own; SIGKILL after 2 s would show as >= 2 s.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"shutdown took {stopwatch.Elapsed}");
        Assert.All(pids, pid => Assert.False(ProcessProbe.IsAlive(pid)));
        Assert.False(Directory.Exists(socketDir));
        var ex = Assert.Throws<PluginException>(() => manager.GetApm("noop-apm"));
        Assert.Contains("no apm plugin named \"noop-apm\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plugin_that_ignores_shutdown_is_killed_after_the_grace_period()
    {
        using var dir = new PluginDirectory();
        // The real plugin answers the handshake and exits on Shutdown, but the process the agent started (this shell)
        // then stays alive: the agent must SIGKILL it once the 2 s grace period is over.
        var script = System.IO.Path.Combine(dir.Path, "noop-apm");
        await File.WriteAllTextAsync(script,
            $"#!/bin/sh\ntrap '' TERM INT\n'{System.IO.Path.Combine(TestPaths.PluginBuildDir("noop-apm"), "noop-apm")}' \"$@\"\nexec sleep 3600\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var manager = CreateManager(dir, new CapturingLoggerFactory());
        await manager.StartAsync([Block(PluginKind.Apm, "noop-apm")], CancellationToken.None);
        var pid = manager.GetProcessId(PluginKind.Apm, "noop-apm")!.Value;
        var stopwatch = Stopwatch.StartNew();
        await manager.DisposeAsync();
        stopwatch.Stop();
        Assert.False(ProcessProbe.IsAlive(pid));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_crashed_plugin_is_restarted_with_backoff_and_calls_fail_fast_meanwhile()
    {
        using var dir = AllNoops();
        var logs = new CapturingLoggerFactory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var manager = CreateManager(dir, logs, time);
        await manager.StartAsync([Block(PluginKind.Target, "noop-target", new() { ["count"] = "5" })], CancellationToken.None);
        var target = manager.GetTarget("noop-target");
        var pid = manager.GetProcessId(PluginKind.Target, "noop-target")!.Value;

        using (var victim = Process.GetProcessById(pid)) victim.Kill();
        // Advancing the fake clock only fires timers that exist, so wait until the restart timer is set.
        await Eventually.WaitUntilAsync(() => logs.Entries.Any(e => e.Message == "plugin restart scheduled"), TimeSpan.FromSeconds(10), "restart scheduled");
        var crash = logs.Entries.First(e => e.Message == "plugin process exited unexpectedly");
        Assert.Equal("noop-target", crash["plugin_name"]);
        Assert.Equal(pid, crash["pid"]);
        Assert.Equal(TimeSpan.FromSeconds(1), crash["restart_in"]);

        var unavailable = await Assert.ThrowsAsync<PluginUnavailableException>(() => target.StatusAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Contains("target plugin \"noop-target\" is restarting", unavailable.Message, StringComparison.Ordinal);

        // Nothing happens until the fake clock passes the first backoff step.
        Assert.Null(manager.GetProcessId(PluginKind.Target, "noop-target"));
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitUntilAsync(() => manager.GetProcessId(PluginKind.Target, "noop-target") is not null, TimeSpan.FromSeconds(30), "plugin restarted");
        Assert.NotEqual(pid, manager.GetProcessId(PluginKind.Target, "noop-target"));
        // The same client object keeps working, and the relaunch got the block's config again.
        Assert.Equal(5, (await target.StatusAsync(new Dictionary<string, string>(), CancellationToken.None))!.Count);
        Assert.Contains(logs.Entries, e => e.Message == "plugin restarted");
    }

    [Fact]
    public async Task Calls_are_timed_on_the_nomad_autoscaler_meter()
    {
        using var dir = AllNoops();
        var recorded = new List<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "nomad-autoscaler" && instrument.Name.StartsWith("plugin.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            lock (recorded) recorded.Add((instrument.Name, value, map));
        });
        listener.Start();

        await using var manager = CreateManager(dir, new CapturingLoggerFactory());
        await manager.StartAsync([Block(PluginKind.Apm, "noop-apm", name: "my-apm")], CancellationToken.None);
        using (PluginCallContext.Begin("policy-1", "job/group"))
            await manager.GetApm("my-apm").QueryAsync(new ApmQuery("q", From, From), CancellationToken.None);

        lock (recorded)
        {
            var query = Assert.Single(recorded, r => r.Name == "plugin.apm.query.invoke_ms" && Equals(r.Tags["plugin_name"], "my-apm"));
            Assert.Equal("policy-1", query.Tags["policy_id"]);
            Assert.True(query.Value > 0);
            Assert.Contains(recorded, r => r.Name == "plugin.manager.access_ms" && Equals(r.Tags["plugin_type"], "apm"));
        }
    }
}
