using Xunit.Abstractions;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>Our C# plugins (tests/TestPlugins, built on the SDK) under the real hashicorp/go-plugin client: the proof
/// that a plugin written against our SDK runs under the Go nomad-autoscaler agent. Every run also checks that each
/// stderr line is hclog JSON the Go host can parse, and that the plugin exits within 2 s of Shutdown.</summary>
public sealed class GoHostLoadsOurPluginsTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> KindsWithAndWithoutMtls => new()
    {
        { "apm", false }, { "strategy", false }, { "target", false },
        { "apm", true }, { "strategy", true }, { "target", true },
    };

    private bool Ready(string kind) =>
        IntegrationGate.HasExecutables(output, GoInteropBinaries.HostPath, GoInteropBinaries.OurNoopPluginPath(kind));

    private static Task<GoHostRun> RunOurs(string kind, string? config = null, bool autoMtls = false) =>
        GoHost.RunAsync(
            GoHost.Arguments(GoInteropBinaries.OurNoopPluginPath(kind), kind, config, autoMtls, expectName: "noop-" + kind),
            CancellationToken.None);

    [Theory]
    [MemberData(nameof(KindsWithAndWithoutMtls))]
    public async Task Every_kind_passes_every_rpc_and_shuts_down_gracefully(string kind, bool autoMtls)
    {
        if (!Ready(kind)) return;

        var run = await RunOurs(kind, autoMtls: autoMtls);

        run.AssertSucceeded();
        Assert.Equal(autoMtls, run.Response("Launch").GetProperty("automtls").GetBoolean());
        Assert.Equal("unix", run.Response("Launch").GetProperty("network").GetString());
        Assert.False(run.Response("Kill").GetProperty("forced").GetBoolean());
    }

    [Fact]
    public async Task Apm_returns_the_configured_points_across_the_query_window()
    {
        if (!Ready("apm")) return;

        var run = await RunOurs("apm", "value=42.5,points=3");

        run.AssertSucceeded();
        var metrics = run.Response("Query").GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal([42.5, 42.5, 42.5], metrics.Select(m => m.GetProperty("value").GetDouble()));
        // The host asks for 00:00..00:01; three points span the window end to end.
        Assert.Equal(["2026-01-01T00:00:00Z", "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z"],
            metrics.Select(m => m.GetProperty("timestamp").GetString()));
        Assert.NotEmpty(run.Response("QueryMultiple").GetProperty("series").EnumerateArray());
    }

    [Fact]
    public async Task Strategy_proposes_the_configured_count_with_json_meta()
    {
        if (!Ready("strategy")) return;

        var run = await RunOurs("strategy", "count=7");

        run.AssertSucceeded();
        var response = run.Response("Run");
        Assert.Equal(7, response.GetProperty("count").GetInt64());
        // The host's request has count 3, so 7 is up.
        Assert.Equal("SCALING_DIRECTION_UP", response.GetProperty("direction").GetString());
        Assert.Equal("", response.GetProperty("meta_type_url").GetString());
        Assert.Equal(2, response.GetProperty("meta").GetProperty("metrics").GetInt32());
    }

    [Fact]
    public async Task Target_reports_and_changes_its_count()
    {
        if (!Ready("target")) return;

        var run = await RunOurs("target", "count=5");

        run.AssertSucceeded();
        Assert.Equal(5, run.Response("Status").GetProperty("count").GetInt64());
        Assert.True(run.Response("Status").GetProperty("ready").GetBoolean());
        Assert.False(run.Response("Scale").GetProperty("noop").GetBoolean());
        Assert.Equal(6, run.Response("StatusAfterScale").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Target_noop_travels_as_aborted_and_the_go_host_maps_it_to_a_noop()
    {
        if (!Ready("target")) return;

        var run = await RunOurs("target", "count=5,no_op=true");

        run.AssertSucceeded();
        Assert.True(run.Response("Scale").GetProperty("noop").GetBoolean(), run.Describe());
        Assert.Contains("Aborted", run.Response("Scale").GetProperty("noop_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, run.Response("StatusAfterScale").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Target_scale_failure_is_a_failure_not_a_noop()
    {
        if (!Ready("target")) return;

        var run = await RunOurs("target", "count=5,fail_scale=true");

        Assert.Equal(1, run.ExitCode);
        var scale = run.Step("Scale");
        Assert.False(scale.Ok);
        Assert.NotEqual("Aborted", scale.Code);
        Assert.False(string.IsNullOrEmpty(scale.Code), run.Describe());
        // The failure stops the run before the next Status, but the plugin is still shut down cleanly.
        Assert.True(run.Step("Kill").Ok, run.Describe());
    }

    [Fact]
    public async Task Bad_config_fails_set_config_naming_the_key()
    {
        if (!Ready("apm")) return;

        var run = await RunOurs("apm", "points=0");

        Assert.Equal(1, run.ExitCode);
        var setConfig = run.Step("SetConfig");
        Assert.False(setConfig.Ok);
        Assert.Contains("points", setConfig.Error, StringComparison.Ordinal);
    }
}
