using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NomadAutoscaler.Plugins.Prometheus.Tests;
using Xunit.Abstractions;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>deploy/: the alert rules pass <c>promtool</c> (syntax and their unit tests), and every query of the Grafana
/// dashboard runs on the real Prometheus against metrics a real <c>agent -dev</c> exported, so no panel shows a
/// metric that does not exist.</summary>
[Trait("Category", "EndToEnd")]
public sealed partial class DeployArtifactsTests(ITestOutputHelper output)
{
    private static string Deploy => Path.Combine(AgentProcess.RepoRoot, "deploy");

    [Fact]
    public async Task The_alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        if (Promtool() is not { } promtool) return;

        var (check, checkOutput) = await RunAsync(promtool, "check", "rules", Path.Combine(Deploy, "prometheus", "alerts.yml"));
        Assert.True(check == 0, checkOutput);
        Assert.Contains("SUCCESS: 4 rules found", checkOutput, StringComparison.Ordinal);

        var (test, testOutput) = await RunAsync(promtool, "test", "rules", Path.Combine(AgentProcess.RepoRoot, "tests", "deploy", "alerts_test.yml"));
        Assert.True(test == 0, testOutput);
    }

    [Fact]
    public async Task Every_dashboard_query_names_metrics_the_agent_exports_and_runs_on_prometheus()
    {
        var prometheus = await PrometheusServer.FindAsync(output);
        if (prometheus is null) return;
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Deploy, "grafana", "nomad-autoscaler.json")))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => (string)t!["expr"]!)).ToList();
        queries.Add((string)dashboard["templating"]!["list"]!.AsArray().Single(v => (string?)v!["name"] == "policy_id")!["query"]!);
        var metrics = queries.SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.True(metrics.Count >= 15, $"only {metrics.Count} metrics found in the dashboard");

        var dir = Directory.CreateTempSubdirectory("dashboard-").FullName;
        try
        {
            var policies = Directory.CreateDirectory(Path.Combine(dir, "policies")).FullName;
            // A policy whose check always fails and a file that is not a policy, so the error series exist too. The
            // failing policy scales a pool of its own on the dev cloud: on -dev's web group it would conflict with the
            // job's policy, and the later of two policies for one target is refused.
            await File.WriteAllTextAsync(Path.Combine(policies, "failing.hcl"), """
                scaling "failing" {
                  enabled = true
                  min     = 1
                  max     = 10
                  policy {
                    evaluation_interval = "1s"
                    check "broken" {
                      source = "nomad-apm"
                      query  = "percentage-allocated_no-such-metric"
                      strategy "target-value" {
                        target = 70
                      }
                    }
                    target "sim-cloud" {
                      node_class = "dashboard-only"
                      pool_name  = "dashboard-only"
                    }
                  }
                }
                """);
            await File.WriteAllTextAsync(Path.Combine(policies, "broken.hcl"), "scaling \"broken\" {\n");
            var config = Path.Combine(dir, "agent.hcl");
            await File.WriteAllTextAsync(config, "telemetry {\n  prometheus_metrics = true\n  disable_hostname   = true\n}\ntarget \"sim-cloud\" {\n  driver = \"sim-cloud\"\n}\n");
            await using var agent = AgentProcess.Start("agent", "-dev", "-config", config, "-policy-dir", policies);
            var id = "dashboard-" + Guid.NewGuid().ToString("N")[..8];
            using var scrape = prometheus.Scrape(agent.Http, id);

            foreach (var metric in metrics.Order(StringComparer.Ordinal))
                await prometheus.WaitUntilAsync($"count({metric}{{sim=\"{id}\"}})", v => v > 0, TimeSpan.FromSeconds(120));

            foreach (var query in queries)
            {
                var expression = query.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$policy_id", ".*", StringComparison.Ordinal);
                if (expression.StartsWith("label_values(", StringComparison.Ordinal)) continue;
                await prometheus.ScalarAsync(expression);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string? Promtool()
    {
        var path = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        if (path is not null) return path;
        const string problem = "promtool is not installed: run tests/infra/prometheus/up.sh (Debian's prometheus package)";
        if (Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1") Assert.Fail("REQUIRE_INTEGRATION=1 but " + problem);
        output.WriteLine("test not run: " + problem);
        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\bnomad_autoscaler_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
