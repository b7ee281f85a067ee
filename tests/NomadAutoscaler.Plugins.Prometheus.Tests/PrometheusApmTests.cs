using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

public class PrometheusApmTests
{
    private const string Secret = "s3cr3t-Pa55";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 11, 39, 500, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly RecordingLogger _logger = new();
    private readonly List<StubHandler> _handlers = [];

    private StubHandler Handler => _handlers[^1];

    private async Task<PrometheusApm> ConfiguredAsync(PrometheusOptions? options = null, StubHandler? handler = null)
    {
        _handlers.Add(handler ?? new StubHandler());
        var plugin = new PrometheusApm(_logger, _time, o => PrometheusClient.Create(o, _time, _handlers[^1]));
        await plugin.ConfigureAsync(options ?? new PrometheusOptions { Address = "http://prom.test:9090" }, CancellationToken.None);
        return plugin;
    }

    private static ApmQuery Range(string query = "sum(up)") => new(query, Now.AddMinutes(-1), Now);

    [Fact]
    public async Task Range_query_posts_start_end_and_a_one_second_step()
    {
        using var plugin = await ConfiguredAsync();

        await plugin.QueryAsync(new ApmQuery("sum(up)", Now.AddMinutes(-1), Now), CancellationToken.None);

        var request = Assert.Single(Handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://prom.test:9090/api/v1/query_range", request.Uri.ToString());
        Assert.Equal(new Dictionary<string, string>
        {
            ["query"] = "sum(up)",
            ["start"] = "1795601439.5",
            ["end"] = "1795601499.5",
            ["step"] = "1",
        }, request.Parameters);
    }

    [Fact]
    public async Task Instant_window_runs_an_instant_query_at_the_window_end()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.OneSampleVector);

        var points = await plugin.QueryAsync(new ApmQuery("avg_over_time(x[5m])", Now, Now), CancellationToken.None);

        Assert.Equal(42, Assert.Single(points).Value);
        var request = Assert.Single(Handler.Requests);
        Assert.Equal("/api/v1/query", request.Uri.AbsolutePath);
        Assert.Equal(new Dictionary<string, string> { ["query"] = "avg_over_time(x[5m])", ["time"] = "1795601499.5" }, request.Parameters);
    }

    [Fact]
    public async Task Address_path_prefix_is_kept()
    {
        using var plugin = await ConfiguredAsync(new PrometheusOptions { Address = "https://proxy.test/prometheus/" });

        await plugin.QueryAsync(Range(), CancellationToken.None);

        Assert.Equal("https://proxy.test/prometheus/api/v1/query_range", Handler.Requests[0].Uri.ToString());
    }

    [Theory]
    [InlineData(HttpStatusCode.MethodNotAllowed)]
    [InlineData(HttpStatusCode.NotImplemented)]
    public async Task Falls_back_to_GET_when_POST_is_refused(HttpStatusCode refusal)
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(refusal, "");
        Handler.Enqueue(HttpStatusCode.OK, Bodies.OneSeriesMatrix);

        var points = await plugin.QueryAsync(Range("rate(x[1m]) > 0"), CancellationToken.None);

        Assert.Equal(3, points.Count);
        Assert.Equal([HttpMethod.Post, HttpMethod.Get], Handler.Requests.Select(r => r.Method));
        Assert.Equal("rate(x[1m]) > 0", Handler.Requests[1].Parameters["query"]);
        Assert.Equal("1", Handler.Requests[1].Parameters["step"]);
    }

    [Fact]
    public async Task Query_returns_the_single_series()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.OneSeriesMatrix);

        var points = await plugin.QueryAsync(Range(), CancellationToken.None);

        Assert.Equal([100, 150.5, 200], points.Select(p => p.Value));
    }

    [Fact]
    public async Task Query_over_several_series_fails_naming_count_and_labels()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.TwoSeriesMatrix);

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(Range(), CancellationToken.None));

        Assert.StartsWith("query returned 2 metric streams, only 1 is expected: {instance=\"a:9100\", job=\"node\"}, {instance=\"b:9100\", job=\"node\"}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instant_vector_with_several_samples_is_several_series()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.ThreeSampleVector);

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(new ApmQuery("x", Now, Now), CancellationToken.None));

        Assert.Contains("query returned 3 metric streams", error.Message, StringComparison.Ordinal);
        Assert.Contains("{node_id=\"n3\"}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_series_are_named_up_to_five_then_counted()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.Vector(8));

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(Range(), CancellationToken.None));

        Assert.Contains("query returned 8 metric streams", error.Message, StringComparison.Ordinal);
        Assert.Contains("up{instance=\"host-5\"} and 3 more", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("host-6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryMultiple_returns_every_series_in_order()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.ThreeSampleVector);

        var series = await plugin.QueryMultipleAsync(Range(), CancellationToken.None);

        Assert.Equal([10, 20, 30], series.Select(s => Assert.Single(s).Value));
    }

    [Fact]
    public async Task Empty_result_gives_no_points_and_no_series()
    {
        using var plugin = await ConfiguredAsync();

        Assert.Empty(await plugin.QueryAsync(Range(), CancellationToken.None));
        Assert.Empty(await plugin.QueryMultipleAsync(Range(), CancellationToken.None));
    }

    [Fact]
    public async Task Scalar_result_is_one_point()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.Scalar);

        Assert.Equal(7.25, Assert.Single(await plugin.QueryAsync(new ApmQuery("scalar(x)", Now, Now), CancellationToken.None)).Value);
    }

    [Fact]
    public async Task Warnings_are_logged()
    {
        using var plugin = await ConfiguredAsync();
        Handler.Enqueue(HttpStatusCode.OK, Bodies.WithWarnings);

        await plugin.QueryAsync(Range(), CancellationToken.None);

        Assert.Contains(_logger.Events, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Text.Contains("results truncated due to limit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Basic_auth_is_sent_and_the_password_never_appears_in_errors_or_logs()
    {
        using var plugin = await ConfiguredAsync(new PrometheusOptions { Address = "http://prom.test:9090", BasicAuthUser = "autoscaler", BasicAuthPassword = Secret });
        Handler.Enqueue(HttpStatusCode.Unauthorized, $"bad credentials");

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(Range(), CancellationToken.None));

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"autoscaler:{Secret}")), Handler.Requests[0].Headers["Authorization"]);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(_logger.Events);
        Assert.DoesNotContain(Secret, _logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"autoscaler:{Secret}")), _logger.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_alone_still_sends_basic_auth_as_upstream()
    {
        using var plugin = await ConfiguredAsync(new PrometheusOptions { Address = "http://prom.test:9090", BasicAuthPassword = Secret });

        await plugin.QueryAsync(Range(), CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($":{Secret}")), Handler.Requests[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task Headers_are_sent_and_an_Authorization_header_wins_over_basic_auth()
    {
        var options = new PrometheusOptions
        {
            Address = "http://prom.test:9090", BasicAuthUser = "u", BasicAuthPassword = Secret,
            Headers = new Dictionary<string, string> { ["X-Scope-OrgID"] = "tenant-1", ["authorization"] = "Bearer token-1" },
        };
        using var plugin = await ConfiguredAsync(options);

        await plugin.QueryAsync(Range(), CancellationToken.None);

        var headers = Handler.Requests[0].Headers;
        Assert.Equal("tenant-1", headers["X-Scope-OrgID"]);
        Assert.Equal("Bearer token-1", headers["Authorization"]);
        Assert.DoesNotContain("token-1", _logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-1", _logger.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_in_the_address_become_basic_auth_and_never_reach_the_url_or_errors()
    {
        using var plugin = await ConfiguredAsync(new PrometheusOptions { Address = $"http://alice:{Secret}@prom.test:9090" });
        Handler.Enqueue((_, _) => throw new HttpRequestException("Connection refused"));

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(Range(), CancellationToken.None));

        var request = Assert.Single(Handler.Requests);
        Assert.Equal("http://prom.test:9090/api/v1/query_range", request.Uri.ToString());
        Assert.Equal(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Secret}"))).ToString(), request.Headers["Authorization"]);
        Assert.Equal("failed to query: POST http://prom.test:9090/api/v1/query_range: Connection refused", error.Message);
        Assert.DoesNotContain(Secret, _logger.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_times_out_after_the_configured_timeout()
    {
        using var plugin = await ConfiguredAsync(new PrometheusOptions { Address = "http://prom.test:9090", Timeout = TimeSpan.FromSeconds(3) });
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Handler.Enqueue(async (_, ct) =>
        {
            requested.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });

        var query = plugin.QueryAsync(Range(), CancellationToken.None).AsTask();
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(query.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.2));

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(() => query.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("failed to query: POST http://prom.test:9090/api/v1/query_range: no answer within 3s (timeout)", error.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_an_error()
    {
        using var plugin = await ConfiguredAsync();
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Handler.Enqueue(async (_, ct) =>
        {
            requested.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var cts = new CancellationTokenSource();

        var query = plugin.QueryAsync(Range(), cts.Token).AsTask();
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Reconfiguring_lets_running_queries_finish_on_the_old_client()
    {
        var first = new StubHandler();
        using var plugin = await ConfiguredAsync(handler: first);
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Enqueue(async (_, _) =>
        {
            requested.SetResult();
            await release.Task;
            return StubHandler.Json(HttpStatusCode.OK, Bodies.OneSeriesMatrix);
        });
        var running = plugin.QueryAsync(Range(), CancellationToken.None).AsTask();
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(10));

        _handlers.Add(new StubHandler());
        await plugin.ConfigureAsync(new PrometheusOptions { Address = "http://other.test:9090" }, CancellationToken.None);
        Assert.False(first.Disposed);
        release.SetResult();

        Assert.Equal(3, (await running.WaitAsync(TimeSpan.FromSeconds(10))).Count);
        Assert.True(first.Disposed);
        await plugin.QueryAsync(Range(), CancellationToken.None);
        Assert.Equal("other.test", Assert.Single(Handler.Requests).Uri.Host);
    }

    [Fact]
    public async Task Query_before_configuration_fails()
    {
        using var plugin = new PrometheusApm(_logger, _time, null);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await plugin.QueryAsync(Range(), CancellationToken.None));
    }

    [Fact]
    public async Task A_window_that_ends_before_it_starts_is_refused_without_a_request()
    {
        using var plugin = await ConfiguredAsync();

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(new ApmQuery("x", Now, Now.AddSeconds(-1)), CancellationToken.None));

        Assert.Contains("ends", error.Message, StringComparison.Ordinal);
        Assert.Empty(Handler.Requests);
    }
}
