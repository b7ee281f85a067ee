using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.Shared.V1;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>The built executable over the real plugin protocol: configuration binding errors as the agent sees them
/// (INVALID_ARGUMENT + one BadRequest field violation per key), and queries against a stub Prometheus.</summary>
public sealed class PluginProcessTests(PluginProcessFixture fixture) : IClassFixture<PluginProcessFixture>
{
    private const string Secret = "pr0cess-Secret";

    private async Task<IReadOnlyDictionary<string, string>> RejectedAsync(Dictionary<string, string> config)
    {
        var request = new SetConfigRequest();
        request.Config.Add(config);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Plugin.Base.SetConfigAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.DoesNotContain(Secret, error.Status.Detail, StringComparison.Ordinal);
        return badRequest.FieldViolations.ToDictionary(v => v.Field, v => v.Description);
    }

    private async Task ConfigureAsync(Dictionary<string, string> config)
    {
        var request = new SetConfigRequest();
        request.Config.Add(config);
        await fixture.Plugin.Base.SetConfigAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
    }

    private static TimeRange Window(DateTimeOffset to, TimeSpan length)
        => new() { From = Timestamp.FromDateTimeOffset(to - length), To = Timestamp.FromDateTimeOffset(to) };

    [Fact]
    public async Task Identifies_itself_as_the_prometheus_apm()
    {
        var info = await fixture.Plugin.Base.PluginInfoAsync(new PluginInfoRequest());

        Assert.Equal("prometheus", info.Name);
        Assert.Equal(PluginType.Apm, info.Type);
    }

    [Fact]
    public async Task Address_is_required()
    {
        var violations = await RejectedAsync(new() { ["basic_auth_user"] = "u" });

        Assert.Equal("is required", violations["address"]);
    }

    [Theory]
    [InlineData("localhost:9090")]
    [InlineData("ftp://127.0.0.1:9090")]
    [InlineData("http://127.0.0.1:9090/?x=1")]
    public async Task Address_must_be_an_http_url(string address)
    {
        var violations = await RejectedAsync(new() { ["address"] = address });

        Assert.Contains("address", violations.Keys);
        Assert.Contains(address.Split('?')[0], violations["address"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_in_a_bad_address_are_masked()
    {
        var violations = await RejectedAsync(new() { ["address"] = $"ftp://bob:{Secret}@127.0.0.1:9090" });

        Assert.Equal("\"ftp://***@127.0.0.1:9090\" is not an http:// or https:// URL (for example http://127.0.0.1:9090)", violations["address"]);
    }

    [Fact]
    public async Task Every_bad_key_is_reported_at_once()
    {
        var violations = await RejectedAsync(new()
        {
            ["address"] = "http://127.0.0.1:9090",
            ["skip_verify"] = "maybe",
            ["timeout"] = "ten seconds",
            ["adress"] = "typo",
            ["nomad_address"] = "http://127.0.0.1:4646",
        });

        Assert.Equal(["adress", "skip_verify", "timeout"], violations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("\"maybe\" is not a boolean (use true or false)", violations["skip_verify"]);
        Assert.Contains("did you mean \"address\"", violations["adress"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zero_timeout_is_refused()
    {
        var violations = await RejectedAsync(new() { ["address"] = "http://127.0.0.1:9090", ["timeout"] = "0s" });

        Assert.Equal("must be a positive duration, for example 10s", violations["timeout"]);
    }

    [Fact]
    public async Task Unreadable_ca_cert_fails_configuration_naming_the_key()
    {
        var violations = await RejectedAsync(new() { ["address"] = "https://127.0.0.1:9090", ["ca_cert"] = "/nonexistent/ca.pem" });

        Assert.StartsWith("failed to load CA certificate /nonexistent/ca.pem", violations["ca_cert"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_keys_are_bound_through_the_sdk_and_sent_by_the_plugin_process()
    {
        var token = "Bearer header-token-" + Guid.NewGuid().ToString("N");
        await ConfigureAsync(new() { ["address"] = fixture.Server.Address.ToString(), ["basic_auth_user"] = "agent", ["header_Authorization"] = token, ["header_X-Scope-OrgID"] = "tenant" });

        await fixture.Plugin.Apm.QueryMultipleAsync(new QueryMultipleRequest { Query = "up", TimeRange = Window(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) });

        // header_Authorization replaces basic auth, as upstream.
        Assert.Contains(fixture.Server.Requests, r => r.Authorization == token);
    }

    [Fact]
    public async Task A_key_that_is_only_the_header_prefix_is_unknown()
    {
        var violations = await RejectedAsync(new() { ["address"] = "http://127.0.0.1:9090", ["header_"] = "x" });

        Assert.StartsWith("is not a known configuration key", violations["header_"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queries_a_server_with_basic_auth_and_never_logs_the_password()
    {
        await ConfigureAsync(new() { ["address"] = fixture.Server.Address.ToString(), ["basic_auth_user"] = "agent", ["basic_auth_password"] = Secret });
        var now = DateTimeOffset.UtcNow;

        var multiple = await fixture.Plugin.Apm.QueryMultipleAsync(new QueryMultipleRequest { Query = "up", TimeRange = Window(now, TimeSpan.FromMinutes(1)) });
        var single = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Plugin.Apm.QueryAsync(new QueryRequest { Query = "up", TimeRange = Window(now, TimeSpan.FromMinutes(1)) }));

        Assert.Equal([[1, 2], [3]], multiple.TimestampedMetric.Select(s => s.TimestampedMetric.Select(m => m.Value).ToArray()).ToArray());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000001), multiple.TimestampedMetric[0].TimestampedMetric[1].Timestamp.ToDateTimeOffset());
        Assert.Equal(StatusCode.Internal, single.StatusCode);
        Assert.StartsWith("query returned 2 metric streams, only 1 is expected: {instance=\"a:9100\", job=\"node\"}", single.Status.Detail, StringComparison.Ordinal);
        Assert.All(fixture.Server.Requests, r => Assert.StartsWith("Basic ", r.Authorization, StringComparison.Ordinal));
        Assert.Contains(fixture.Server.Requests, r => r.Path == "/api/v1/query_range");
        Assert.Contains("querying Prometheus", fixture.Plugin.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, fixture.Plugin.Stderr, StringComparison.Ordinal);
    }
}
