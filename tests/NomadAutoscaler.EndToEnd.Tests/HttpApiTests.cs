using System.Net;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The real agent binary's HTTP API: every endpoint against a running file policy, reload over HTTP, a busy
/// port, and a clean SIGINT exit.</summary>
[Trait("Category", "EndToEnd")]
public sealed class HttpApiTests : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-http-").FullName;
    private readonly HttpClient _client = new();
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(200) };
        options.Nodes.Add(new SimulatorNodeSpec { Name = "node-1", Cpu = 8000, MemoryMB = 16384 });
        options.Jobs.Add(new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = "api", ["Name"] = "api", ["Namespace"] = "default", ["Type"] = "service", ["Datacenters"] = new JsonArray("dc1"),
                ["TaskGroups"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "api", ["Count"] = 1,
                    ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "api", ["Driver"] = "docker", ["Resources"] = new JsonObject { ["CPU"] = 100, ["MemoryMB"] = 64 } }),
                }),
            },
        }.ToJsonString());
        _nomad = await _simulator.StartAsync(options);
    }

    private async Task<string> ConfigAsync(bool prometheus)
    {
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "api.hcl"), """
            scaling "api_floor" {
              enabled = true
              type    = "horizontal"
              min     = 1
              max     = 8
              policy {
                cooldown            = "1s"
                evaluation_interval = "1s"
                check "floor" {
                  strategy "fixed-value" { value = 3 }
                }
                target "nomad-target" {
                  Job   = "api"
                  Group = "api"
                }
              }
            }
            """);
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            telemetry { prometheus_metrics = {{(prometheus ? "true" : "false")}} }
            policy {
              dir = "{{policies}}"
              source "nomad" { enabled = false }
            }
            """);
        return config;
    }

    [Fact]
    public async Task Every_endpoint_answers_as_documented_and_sigint_exits_0_within_5_seconds()
    {
        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(prometheus: true));
        await agent.WaitUntilAsync(async () => (await TrySendAsync(agent, HttpMethod.Get, "v1/health"))?.Status == HttpStatusCode.OK, "health 200", TimeSpan.FromSeconds(90));
        await agent.WaitUntilAsync(() => _simulator.GetDesiredCount("api", "api") == 3, "fixed-value scale to 3", TimeSpan.FromSeconds(90));
        // The scale reaches Nomad before the evaluation that made it ends and is recorded.
        JsonNode list = new JsonObject();
        await agent.WaitUntilAsync(async () =>
        {
            list = JsonNode.Parse((await SendAsync(agent, HttpMethod.Get, "v1/policies")).Body)!;
            return list["policies"]!.AsArray() is [{ } only] && only["last_evaluation"] is not null;
        }, "the evaluation that scaled recorded in v1/policies", TimeSpan.FromSeconds(30));

        var policy = Assert.Single(list["policies"]!.AsArray())!;
        Assert.Equal("api_floor", (string)policy["name"]!);
        Assert.Equal("file", (string)policy["source"]!);
        Assert.Equal("nomad-target", (string)policy["target"]!["name"]!);
        Assert.NotNull(policy["last_evaluation"]);
        var id = (string)policy["id"]!;

        var detail = JsonNode.Parse((await SendAsync(agent, HttpMethod.Get, "v1/policy/" + id)).Body)!;
        var decisions = detail["decisions"]!.AsArray();
        Assert.InRange(decisions.Count, 1, 20);
        Assert.Contains(decisions, d => (string)d!["outcome"]! == "scaled" && (long)d["action"]!["count"]! == 3);

        // The JSON view is the newest finished 10 s interval, so it only shows what happens in every interval (a status
        // call per evaluation); the one scale is checked in the Prometheus text, which is cumulative.
        // (The interval the agent started in may hold no evaluation yet, hence the wait.)
        JsonNode metrics = null!;
        await agent.WaitUntilAsync(async () =>
        {
            metrics = JsonNode.Parse((await SendAsync(agent, HttpMethod.Get, "v1/metrics")).Body)!;
            return metrics["Samples"]!.AsArray().Any(s => (string)s!["Name"]! == "nomad-autoscaler.plugin.target.status.invoke_ms"
                && (string)s["Labels"]!["plugin_name"]! == "nomad-target" && (string)s["Labels"]!["policy_id"]! == id);
        }, "a status sample of the policy in the JSON metrics", TimeSpan.FromSeconds(30));
        Assert.NotNull(metrics["Counters"]!.AsArray());
        Assert.Contains(metrics["Gauges"]!.AsArray(), g => ((string)g!["Name"]!).EndsWith(".policy.total_num", StringComparison.Ordinal) && (double)g["Value"]! == 1);

        var prometheus = await SendAsync(agent, HttpMethod.Get, "v1/metrics?format=prometheus");
        Assert.Equal(HttpStatusCode.OK, prometheus.Status);
        Assert.Contains($"nomad_autoscaler_scale_invoke_success_count{{plugin_name=\"nomad-target\",policy_id=\"{id}\",target_name=\"nomad-target\"}}", prometheus.Body, StringComparison.Ordinal);
        Assert.Contains("# TYPE nomad_autoscaler_plugin_target_status_invoke_ms summary", prometheus.Body, StringComparison.Ordinal);
        Assert.Contains($"nomad_autoscaler_plugin_target_scale_invoke_ms_count{{plugin_name=\"nomad-target\",policy_id=\"{id}\"", prometheus.Body, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agent, HttpMethod.Put, "v1/agent/reload")).Status);
        Assert.Contains(agent.Lines, l => l.Contains("reloading Autoscaler configuration", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agent, HttpMethod.Post, "v1/agent/reload")).Status);

        Assert.Equal((HttpStatusCode.MethodNotAllowed, "Invalid method\n"), await SendAsync(agent, HttpMethod.Post, "v1/health"));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "Invalid method\n"), await SendAsync(agent, HttpMethod.Get, "v1/agent/reload"));
        Assert.Equal((HttpStatusCode.NotFound, ""), await SendAsync(agent, HttpMethod.Get, "v1/agent/self"));
        Assert.Equal((HttpStatusCode.NotFound, "404 page not found\n"), await SendAsync(agent, HttpMethod.Get, "v1/nothing"));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(agent, HttpMethod.Get, "v1/policy/unknown")).Status);

        Assert.Equal(0, await agent.InterruptAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(agent.Lines, l => l.Contains("caught signal: signal=interrupt", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("shutting down plugin: plugin_name=nomad-target", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prometheus_format_is_415_when_not_enabled()
    {
        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(prometheus: false));
        await agent.WaitUntilAsync(async () => (await TrySendAsync(agent, HttpMethod.Get, "v1/health"))?.Status == HttpStatusCode.OK, "health 200", TimeSpan.FromSeconds(90));

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "Prometheus is not enabled\n"), await SendAsync(agent, HttpMethod.Get, "v1/metrics?format=prometheus"));
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_busy_port_is_reported_with_address_and_port_and_exit_code_1()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(prometheus: false), "-http-bind-port", port);

        Assert.Equal(1, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(agent.Lines, l => l.Contains("failed to start HTTP server", StringComparison.Ordinal) && l.Contains($"127.0.0.1:{port}", StringComparison.Ordinal)
            && l.Contains("already in use", StringComparison.Ordinal));
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(AgentProcess agent, HttpMethod method, string path)
        => await TrySendAsync(agent, method, path) ?? throw new InvalidOperationException($"{method} {path}: no answer\n{agent.Log}");

    private async Task<(HttpStatusCode Status, string Body)?> TrySendAsync(AgentProcess agent, HttpMethod method, string path)
    {
        try
        {
            using var response = await _client.SendAsync(new HttpRequestMessage(method, new Uri(agent.Http, path)));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
