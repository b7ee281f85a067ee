using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Http;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Core.Telemetry;
using NomadAutoscaler.Core.Tests.Evaluation;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Http;

/// <summary>The HTTP API on a loopback Kestrel (ephemeral port), against a real policy manager over fake plugins.</summary>
public sealed class AgentHttpServerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly FakeStrategy _strategy = new();
    private readonly FakeTarget _target = new() { Count = 2 };
    private readonly AutoscalerMetrics _metrics = new();
    private readonly MetricsCollector _collector;
    private readonly PolicyManager _manager;
    private readonly List<CancellationToken> _reloads = [];
    private readonly HttpClient _client = new();
    private AgentHttpServer _server = null!;
    private string? _reloadRefusal;
    private bool _prometheus = true;
    private bool _debug;

    public AgentHttpServerTests()
    {
        _plugins.Apms["apm"] = new FakeApm { Answer = _ => [new MetricPoint(DateTimeOffset.UnixEpoch, 42.5)] };
        _plugins.Strategies["s"] = _strategy;
        _plugins.Targets["os-nova"] = _target;
        _collector = new MetricsCollector(m => m == _metrics.Meter, _time, hostname: "host1");
        _manager = new PolicyManager(_plugins, new Dictionary<string, int> { ["cluster"] = 2 }, _time, NullLoggerFactory.Instance, _metrics);
    }

    public Task InitializeAsync() => StartAsync();

    private async Task StartAsync()
    {
        var backend = new AgentHttpBackend(_collector, _prometheus, () => _manager, ct =>
        {
            _reloads.Add(ct);
            return Task.FromResult(_reloadRefusal);
        }, DebugEnabled: () => _debug, Time: _time);
        _server = new AgentHttpServer(backend, NullLoggerFactory.Instance);
        await _server.StartAsync("127.0.0.1", 0, CancellationToken.None);
    }

    private Uri Url(string path) => new(_server.Address!, path);

    private async Task<(HttpStatusCode Status, string Body, string? ContentType)> SendAsync(HttpMethod method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(method, Url(path)));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_answers_200_with_an_empty_body_and_405_to_other_methods()
    {
        Assert.Equal((HttpStatusCode.OK, "", null), await SendAsync(HttpMethod.Get, "/v1/health"));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "Invalid method\n", "text/plain"), await SendAsync(HttpMethod.Post, "/v1/health"));
    }

    [Fact]
    public async Task The_status_page_is_self_contained_and_locked_to_the_agent_by_its_content_security_policy()
    {
        using var response = await _client.GetAsync(Url("/ui/"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        // No external script, stylesheet, font or image: nothing is loaded from anywhere but the agent.
        Assert.DoesNotMatch(@"<script[^>]+src=|<link[^>]+href=|@import|@font-face|url\(|https?://", html);
        foreach (var api in new[] { "/v1/policies", "/v1/policy/", "/v1/plugins" }) Assert.Contains($"\"{api}", html, StringComparison.Ordinal);

        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var redirect = await noFollow.GetAsync(Url("/ui"));
        Assert.Equal((HttpStatusCode.MovedPermanently, "/ui/"), (redirect.StatusCode, redirect.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Post, "/ui/")).Status);
    }

    [Fact]
    public async Task Plugins_lists_none_without_a_plugin_source_and_answers_405_to_other_methods()
    {
        Assert.Equal((HttpStatusCode.OK, "{\n  \"plugins\": []\n}\n", "application/json"), await SendAsync(HttpMethod.Get, "/v1/plugins"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Put, "/v1/plugins")).Status);
    }

    [Theory]
    [InlineData("/debug/")]
    [InlineData("/debug/runtime")]
    [InlineData("/debug/threads")]
    [InlineData("/debug/pprof/")]
    public async Task Debug_paths_are_the_ordinary_404_without_enable_debug(string path)
    {
        Assert.Equal((HttpStatusCode.NotFound, "404 page not found\n", "text/plain"), await SendAsync(HttpMethod.Get, path));
    }

    [Fact]
    public async Task With_enable_debug_the_index_lists_each_debug_endpoint_and_each_answers_json()
    {
        _debug = true;
        var (status, body, type) = await SendAsync(HttpMethod.Get, "/debug/");
        Assert.Equal((HttpStatusCode.OK, "application/json"), (status, type));
        var paths = JsonNode.Parse(body)!["endpoints"]!.AsArray().Select(e => (string)e!["path"]!).ToList();
        Assert.Equal(["/debug/runtime", "/debug/threads"], paths);
        foreach (var path in paths)
        {
            var answer = await SendAsync(HttpMethod.Get, path);
            Assert.Equal((HttpStatusCode.OK, "application/json"), (answer.Status, answer.ContentType));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Post, path)).Status);
        }

        // Go's pprof paths are not imitated: nothing here speaks the pprof profile format.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/debug/pprof/")).Status);
    }

    [Fact]
    public async Task Debug_runtime_reports_this_process_and_its_gc_and_thread_pool()
    {
        _debug = true;
        var before = GC.CollectionCount(0);
        GC.Collect(0);
        var json = JsonNode.Parse((await SendAsync(HttpMethod.Get, "/debug/runtime")).Body)!;

        Assert.Equal(Environment.ProcessId, (int)json["process"]!["pid"]!);
        Assert.Equal(_time.GetUtcNow(), DateTimeOffset.Parse((string)json["time"]!, System.Globalization.CultureInfo.InvariantCulture));
        var gen0 = json["gc"]!["generations"]!.AsArray()[0]!;
        Assert.Equal(0, (int)gen0["generation"]!);
        Assert.True((int)gen0["collections"]! > before, "the forced collection is counted");
        Assert.True((long)json["gc"]!["total_allocated_bytes"]! > 0);
        Assert.True((int)json["thread_pool"]!["threads"]! > 0);
        Assert.True((long)json["process"]!["working_set_bytes"]! > 0);
    }

    [Fact]
    public async Task Debug_threads_lists_the_thread_that_serves_the_request()
    {
        _debug = true;
        var json = JsonNode.Parse((await SendAsync(HttpMethod.Get, "/debug/threads")).Body)!;
        var threads = json["threads"]!.AsArray();

        Assert.Equal(threads.Count, (int)json["count"]!);
        Assert.NotEmpty(threads);
        if (OperatingSystem.IsLinux())
        {
            // The main thread's OS id is the process id, and the runtime names its own threads (".NET TP Worker").
            Assert.Contains(threads, t => (int)t!["id"]! == Environment.ProcessId);
            Assert.Contains(threads, t => ((string?)t!["name"])?.StartsWith(".NET", StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public async Task Unknown_paths_are_404_as_upstream()
    {
        Assert.Equal((HttpStatusCode.NotFound, "404 page not found\n", "text/plain"), await SendAsync(HttpMethod.Get, "/v1/nothing"));
        Assert.Equal((HttpStatusCode.NotFound, "404 page not found\n", "text/plain"), await SendAsync(HttpMethod.Get, "/"));
        // Any other /v1/agent/ path is an empty 404 (upstream's agent handler).
        Assert.Equal((HttpStatusCode.NotFound, "", null), await SendAsync(HttpMethod.Get, "/v1/agent/self"));
    }

    [Fact]
    public async Task Reload_accepts_put_and_post_runs_the_reload_and_refuses_other_methods()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/v1/agent/reload")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v1/agent/reload")).Status);
        Assert.Equal(2, _reloads.Count);

        Assert.Equal((HttpStatusCode.MethodNotAllowed, "Invalid method\n", "text/plain"), await SendAsync(HttpMethod.Get, "/v1/agent/reload"));
        Assert.Equal(2, _reloads.Count);
    }

    [Fact]
    public async Task A_refused_reload_is_a_500_with_the_reason()
    {
        _reloadRefusal = "agent.hcl:2,3-9: Unsupported argument";

        Assert.Equal((HttpStatusCode.InternalServerError, "agent.hcl:2,3-9: Unsupported argument\n", "text/plain"), await SendAsync(HttpMethod.Put, "/v1/agent/reload"));
    }

    [Fact]
    public async Task Metrics_json_has_the_go_metrics_shape_with_engine_series()
    {
        _metrics.InvokeSuccess.Add(1, new("policy_id", "p1"), new("target_name", "os-nova"), new("plugin_name", "os-nova"));

        var (status, body, type) = await SendAsync(HttpMethod.Get, "/v1/metrics");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", type);
        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["Timestamp", "Gauges", "Points", "Counters", "Samples"], json.Select(p => p.Key));
        Assert.Equal("2026-11-27 12:00:00 +0000 UTC", (string)json["Timestamp"]!);
        var counter = Assert.Single(json["Counters"]!.AsArray(), c => (string)c!["Name"]! == "nomad-autoscaler.scale.invoke.success_count")!;
        Assert.Equal(1, (long)counter["Count"]!);
        Assert.Equal("p1", (string)counter["Labels"]!["policy_id"]!);
        Assert.Contains(json["Gauges"]!.AsArray(), g => (string)g!["Name"]! == "nomad-autoscaler.host1.policy.total_num");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Post, "/v1/metrics")).Status);
    }

    [Fact]
    public async Task Metrics_in_prometheus_text_when_enabled()
    {
        _metrics.EvaluateMs.Record(12.5, new("policy_id", "p1"), new("target_name", "os-nova"));

        var (status, body, type) = await SendAsync(HttpMethod.Get, "/v1/metrics?format=prometheus");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain", type);
        Assert.Contains("# TYPE nomad_autoscaler_scale_evaluate_ms summary\n", body, StringComparison.Ordinal);
        Assert.Contains("nomad_autoscaler_scale_evaluate_ms_sum{policy_id=\"p1\",target_name=\"os-nova\"} 12.5\n", body, StringComparison.Ordinal);
        Assert.Contains("nomad_autoscaler_host1_policy_total_num 0\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_text_is_415_when_not_enabled()
    {
        await _server.DisposeAsync();
        _prometheus = false;
        await StartAsync();

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "Prometheus is not enabled\n", "text/plain"), await SendAsync(HttpMethod.Get, "/v1/metrics?format=prometheus"));
    }

    [Fact]
    public async Task Policies_lists_state_with_secrets_redacted()
    {
        var policy = Policies.Cluster() with
        {
            Target = new PolicyTarget("os-nova", new Dictionary<string, string> { ["node_class"] = "nom-pool", ["os_password"] = "hunter2", ["auth_token"] = "t0k3n" }),
        };
        await _manager.ApplyAsync(new PolicySnapshot("file", [policy], ["bad.hcl:1,1: broken"]));
        _strategy.Answer = _ => new ScalingAction(3, ScalingDirection.Up, "more");
        await _manager.Find("p1")!.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

        var (status, body, _) = await SendAsync(HttpMethod.Get, "/v1/policies");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n", body, StringComparison.Ordinal);
        var json = JsonNode.Parse(body)!;
        var item = Assert.Single(json["policies"]!.AsArray())!;
        Assert.Equal("p1", (string)item["id"]!);
        Assert.Equal("worker_pool_policy", (string)item["name"]!);
        Assert.Equal("file", (string)item["source"]!);
        Assert.Equal("cluster", (string)item["type"]!);
        Assert.True((bool)item["enabled"]!);
        Assert.Equal("<redacted>", (string)item["target"]!["config"]!["os_password"]!);
        Assert.Equal("nom-pool", (string)item["target"]!["config"]!["node_class"]!);
        Assert.Equal("scaled", (string)item["last_evaluation"]!["outcome"]!);
        Assert.Equal("2026-11-27T12:00:00.000Z", (string)item["last_evaluation"]!["time"]!);
        Assert.Equal("2026-11-27T12:02:00.000Z", (string)item["cooldown_until"]!);
        Assert.Null(item["last_error"]);
        Assert.Equal("bad.hcl:1,1: broken", (string)json["source_errors"]!["file"]![0]!);
    }

    [Fact]
    public async Task Policy_detail_shows_the_reason_a_target_gave_for_a_no_op()
    {
        await _manager.ApplyAsync(new PolicySnapshot("file", [Policies.Cluster()], []));
        _strategy.Answer = r => new ScalingAction(r.CurrentCount - 1, ScalingDirection.Down, "less");
        _target.AnswerNoOp = true;
        _target.NoOpReason = "pool workers: scale-in limited to 0 of 1: job db on node n1 has nomad_autoscaler.do_not_disrupt=true";
        await _manager.Find("p1")!.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

        var (_, body, _) = await SendAsync(HttpMethod.Get, "/v1/policy/p1");

        var decision = JsonNode.Parse(body)!["decisions"]![0]!;
        Assert.Equal("target_no_op", (string)decision["outcome"]!);
        Assert.Equal(_target.NoOpReason, (string)decision["reason"]!);
        Assert.Null(decision["error"]);
    }

    [Fact]
    public async Task Policy_detail_has_the_decisions_with_metrics_strategy_results_and_the_action()
    {
        // No cooldown, so the second evaluation scales again without moving the clock (which would also fire the
        // handler's own timer and add decisions).
        await _manager.ApplyAsync(new PolicySnapshot("file", [Policies.Cluster() with { Cooldown = TimeSpan.Zero, CooldownOnScaleUp = TimeSpan.Zero }], []));
        var handler = _manager.Find("p1")!;
        _strategy.Answer = r => new ScalingAction(r.CurrentCount + 1, ScalingDirection.Up, "more") { Meta = new Dictionary<string, object?> { ["api_token"] = "s3cret", ["factor"] = 1.5 } };
        await handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);
        _target.ScaleError = new InvalidOperationException("quota exceeded");
        await handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

        var (status, body, _) = await SendAsync(HttpMethod.Get, "/v1/policy/p1");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("s3cret", body, StringComparison.Ordinal);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("quota exceeded", (string)json["last_error"]!["error"]!);
        Assert.Equal("cpu", (string)json["checks"]![0]!["name"]!);
        var decisions = json["decisions"]!.AsArray();
        Assert.Equal(2, decisions.Count);
        Assert.Equal("error", (string)decisions[0]!["outcome"]!);
        var scaled = decisions[1]!;
        Assert.Equal("scaled", (string)scaled["outcome"]!);
        Assert.Equal(2, (long)scaled["current_count"]!);
        Assert.Equal(3, (long)scaled["action"]!["count"]!);
        Assert.Equal("up", (string)scaled["action"]!["direction"]!);
        Assert.Equal("<redacted>", (string)scaled["action"]!["meta"]!["api_token"]!);
        var check = scaled["checks"]![0]!;
        Assert.Equal("cpu", (string)check["check"]!);
        Assert.Equal(42.5, (double)check["metric"]!);
        Assert.Equal(3, (long)check["action"]!["count"]!);
    }

    [Fact]
    public async Task Policy_detail_keeps_only_the_last_20_decisions()
    {
        await _manager.ApplyAsync(new PolicySnapshot("file", [Policies.Cluster()], []));
        var handler = _manager.Find("p1")!;
        for (var i = 0; i < 25; i++) await handler.EvaluateAsync(_time.GetUtcNow(), CancellationToken.None);

        var json = JsonNode.Parse((await SendAsync(HttpMethod.Get, "/v1/policy/p1")).Body)!;

        Assert.Equal(20, json["decisions"]!.AsArray().Count);
    }

    [Fact]
    public async Task Unknown_policy_is_404_and_policies_refuse_other_methods()
    {
        Assert.Equal((HttpStatusCode.NotFound, "policy not found\n", "text/plain"), await SendAsync(HttpMethod.Get, "/v1/policy/nope"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Delete, "/v1/policy/nope")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Post, "/v1/policies")).Status);
    }

    [Fact]
    public async Task A_busy_port_is_a_clear_error_naming_address_and_port()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var backend = new AgentHttpBackend(_collector, false, () => null, _ => Task.FromResult<string?>(null));
        await using var second = new AgentHttpServer(backend, NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<HttpBindException>(() => second.StartAsync("127.0.0.1", port, CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bind_address_that_is_not_an_ip_is_a_clear_error()
    {
        var backend = new AgentHttpBackend(_collector, false, () => null, _ => Task.FromResult<string?>(null));
        await using var other = new AgentHttpServer(backend, NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<HttpBindException>(() => other.StartAsync("not an address", 1, CancellationToken.None));

        Assert.Contains("http.bind_address \"not an address\"", error.Message, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _manager.DisposeAsync();
        _client.Dispose();
        _collector.Dispose();
        _metrics.Dispose();
    }
}
