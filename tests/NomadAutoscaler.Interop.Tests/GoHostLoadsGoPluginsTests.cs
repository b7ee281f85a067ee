using System.Text.Json;
using Xunit.Abstractions;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>Sanity of the harness itself: the real go-plugin client against plugins served by go-plugin. If these
/// fail, the failures of <see cref="GoHostLoadsOurPluginsTests"/> say nothing about our plugins.</summary>
public sealed class GoHostLoadsGoPluginsTests(ITestOutputHelper output)
{
    private static readonly string[] _conformanceSteps = ["Launch", "Dispense", "Ping", "PluginInfo", "SetConfig"];

    public static TheoryData<string, bool> KindsWithAndWithoutMtls => new()
    {
        { "apm", false }, { "strategy", false }, { "target", false },
        { "apm", true }, { "strategy", true }, { "target", true },
    };

    private bool Ready(string kind) =>
        IntegrationGate.HasExecutables(output, GoInteropBinaries.HostPath, GoInteropBinaries.GoNoopPluginPath(kind));

    [Fact]
    public async Task Apm_answers_query_and_query_multiple_from_its_config()
    {
        if (!Ready("apm")) return;

        var run = await GoHost.RunAsync(
            GoHost.Arguments(GoInteropBinaries.GoNoopPluginPath("apm"), "apm", "value=42.5,series=2", expectName: "goplugin-noop-apm"),
            CancellationToken.None);

        run.AssertSucceeded();
        Assert.Equal([.. _conformanceSteps, "Query", "QueryMultiple", "Kill", "PluginLogs"], run.Methods);
        var metric = Assert.Single(run.Response("Query").GetProperty("metrics").EnumerateArray());
        Assert.Equal(42.5, metric.GetProperty("value").GetDouble());
        // The plugin stamps the metric with time_range.to; the host sends a fixed window ending at 00:01.
        Assert.Equal("2026-01-01T00:01:00Z", metric.GetProperty("timestamp").GetString());
        var series = run.Response("QueryMultiple").GetProperty("series").EnumerateArray()
            .Select(s => Assert.Single(s.EnumerateArray()).GetProperty("value").GetDouble());
        Assert.Equal([42.5, 43.5], series);
    }

    [Fact]
    public async Task Strategy_scales_up_by_one_and_sends_meta_as_json_with_empty_type_url()
    {
        if (!Ready("strategy")) return;

        var run = await GoHost.RunAsync(GoHost.Arguments(GoInteropBinaries.GoNoopPluginPath("strategy"), "strategy"), CancellationToken.None);

        run.AssertSucceeded();
        var response = run.Response("Run");
        Assert.Equal(4, response.GetProperty("count").GetInt64());
        Assert.Equal("SCALING_DIRECTION_UP", response.GetProperty("direction").GetString());
        Assert.Equal("", response.GetProperty("meta_type_url").GetString());
        Assert.Equal(3, response.GetProperty("meta").GetProperty("input_count").GetInt64());
        Assert.Equal("interop-check", response.GetProperty("check_name").GetString());
        Assert.Equal(2, response.GetProperty("metrics_echoed").GetInt32());
    }

    [Fact]
    public async Task Target_scales_then_maps_aborted_to_a_noop()
    {
        if (!Ready("target")) return;

        var run = await GoHost.RunAsync(GoHost.Arguments(GoInteropBinaries.GoNoopPluginPath("target"), "target", "count=5"), CancellationToken.None);

        run.AssertSucceeded();
        Assert.Equal([.. _conformanceSteps, "Status", "Scale", "StatusAfterScale", "ScaleNoop", "Kill", "PluginLogs"], run.Methods);
        Assert.Equal(5, run.Response("Status").GetProperty("count").GetInt64());
        Assert.False(run.Response("Scale").GetProperty("noop").GetBoolean());
        Assert.Equal(6, run.Response("StatusAfterScale").GetProperty("count").GetInt64());
        var noop = run.Response("ScaleNoop");
        Assert.True(noop.GetProperty("noop").GetBoolean(), run.Describe());
        Assert.Contains("Aborted", noop.GetProperty("noop_reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KindsWithAndWithoutMtls))]
    public async Task Every_kind_loads_and_shuts_down_gracefully(string kind, bool autoMtls)
    {
        if (!Ready(kind)) return;

        var run = await GoHost.RunAsync(
            GoHost.Arguments(GoInteropBinaries.GoNoopPluginPath(kind), kind, autoMtls: autoMtls, expectName: GoInteropBinaries.GoNoopPluginName(kind)),
            CancellationToken.None);

        run.AssertSucceeded();
        Assert.Equal(autoMtls, run.Response("Launch").GetProperty("automtls").GetBoolean());
        Assert.False(run.Response("Kill").GetProperty("forced").GetBoolean());
        Assert.True(run.Response("PluginLogs").GetProperty("hclog_json").GetInt32() > 0, run.Describe());
    }

    [Fact]
    public async Task Host_fails_when_the_plugin_is_of_another_kind()
    {
        if (!Ready("apm")) return;

        var run = await GoHost.RunAsync(GoHost.Arguments(GoInteropBinaries.GoNoopPluginPath("apm"), "strategy"), CancellationToken.None);

        Assert.Equal(1, run.ExitCode);
        var info = run.Step("PluginInfo");
        Assert.False(info.Ok);
        Assert.Contains("PLUGIN_TYPE_APM", info.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Run", run.Methods);
    }

    [Fact]
    public async Task Host_fails_when_the_executable_is_not_a_plugin()
    {
        if (!IntegrationGate.HasExecutables(output, GoInteropBinaries.HostPath)) return;

        // The host itself prints no handshake line (it exits on the missing -plugin flag).
        var run = await GoHost.RunAsync(GoHost.Arguments(GoInteropBinaries.HostPath, "apm"), CancellationToken.None);

        Assert.Equal(1, run.ExitCode);
        Assert.False(run.Step("Launch").Ok);
        Assert.DoesNotContain("PluginInfo", run.Methods);
    }

    [Fact]
    public async Task Bad_config_value_fails_set_config_naming_the_key()
    {
        if (!Ready("apm")) return;

        var run = await GoHost.RunAsync(GoHost.Arguments(GoInteropBinaries.GoNoopPluginPath("apm"), "apm", "value=not-a-number"), CancellationToken.None);

        Assert.Equal(1, run.ExitCode);
        var setConfig = run.Step("SetConfig");
        Assert.Equal("InvalidArgument", setConfig.Code);
        Assert.Contains("\"value\"", setConfig.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-number", setConfig.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_reports_startup_latency_throughput_and_rss()
    {
        if (!Ready("apm")) return;

        var run = await GoHost.RunAsync(["-plugin", GoInteropBinaries.GoNoopPluginPath("apm"), "-kind", "apm", "-bench", "-n", "200"], CancellationToken.None);

        Assert.True(run.ExitCode == 0, run.Describe());
        using var doc = JsonDocument.Parse(run.Stdout);
        var report = doc.RootElement;
        Assert.Equal("Query", report.GetProperty("method").GetString());
        Assert.Equal(200, report.GetProperty("calls").GetInt32());
        Assert.True(report.GetProperty("startup_ms").GetDouble() > 0, run.Stdout);
        var p50 = report.GetProperty("p50_us").GetDouble();
        Assert.True(p50 > 0 && p50 <= report.GetProperty("p99_us").GetDouble(), run.Stdout);
        Assert.True(report.GetProperty("calls_per_sec").GetDouble() > 0, run.Stdout);
        Assert.True(report.GetProperty("rss_kib").GetInt64() > 0, run.Stdout);
    }
}
