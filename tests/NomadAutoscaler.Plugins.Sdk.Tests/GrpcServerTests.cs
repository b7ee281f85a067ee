using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.Target.V1;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

/// <summary>The SDK's own gRPC server (<see cref="GrpcHttpApplication"/> on Kestrel), with real HTTP/2 clients: the
/// behaviour go-plugin hosts and Grpc.Net.Client rely on, and the protocol errors a broken host would see.</summary>
public sealed class GrpcServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HealthServiceImpl _health = new();
    private readonly TestBaseService _base = new();
    private readonly CapturingLogger _log = new();
    private KestrelServer? _server;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _health.SetStatus("plugin", HealthCheckResponse.Types.ServingStatus.Serving);
        var methods = new GrpcMethodTable();
        PluginServiceBindings.Bind(methods, _health);
        PluginServiceBindings.Bind(methods, _base);
        _server = GrpcKestrelServer.Create(NullLoggerFactory.Instance, (options, configure) => options.Listen(IPAddress.Loopback, 0, configure));
        await _server.StartAsync(new GrpcHttpApplication(methods, _log, _stopping.Token), CancellationToken.None);
        _address = new Uri(_server.Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async Task DisposeAsync()
    {
        _base.ReleaseIgnoringCall.TrySetResult();
        await _stopping.CancelAsync();
        if (_server is not null)
        {
            using var stop = new CancellationTokenSource(Timeout);
            await _server.StopAsync(stop.Token);
            _server.Dispose();
        }

        _stopping.Dispose();
    }

    [Fact]
    public async Task Unary_call_returns_the_service_reply()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "plugin" }, deadline: Deadline());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task RpcException_from_the_service_keeps_its_status()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "nope" }, deadline: Deadline()));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Config_error_becomes_invalid_argument_with_one_field_violation_per_key()
    {
        _base.SetConfigError = new PluginConfigException([new ConfigViolation("max", "must be a number"), new ConfigViolation("typo_key", "is not a known key")]);
        using var channel = GrpcChannel.ForAddress(_address);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var details = error.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(details);
        Assert.Equal(["max", "typo_key"], details.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Unexpected_exception_becomes_internal_with_its_message_only()
    {
        _base.SetConfigError = new InvalidOperationException("disk on fire");
        using var channel = GrpcChannel.ForAddress(_address);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("disk on fire", error.Status.Detail);
    }

    [Fact]
    public async Task Plugin_failure_is_one_error_line_without_a_stack_trace()
    {
        _base.SetConfigError = new InvalidOperationException("no nodes identified within pool");
        using var channel = GrpcChannel.ForAddress(_address);
        await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("call failed", entry.Message);
        Assert.Null(entry.Exception);
        Assert.Equal([new("method", "/" + PluginServiceBindings.BasePluginService + "/SetConfig"), new("error", "no nodes identified within pool")], entry.Pairs);
    }

    [Fact]
    public async Task Config_error_is_one_warning_line_without_a_stack_trace()
    {
        _base.SetConfigError = new PluginConfigException([new ConfigViolation("max", "must be a number")]);
        using var channel = GrpcChannel.ForAddress(_address);
        await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Null(entry.Exception);
        Assert.Equal(["method", "error"], entry.Pairs.Select(p => p.Key));
    }

    [Fact]
    public async Task No_op_is_not_logged_by_the_plugin()
    {
        _base.SetConfigError = new ScalingNoOpException("already at 3");
        using var channel = GrpcChannel.ForAddress(_address);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task Bug_is_logged_with_its_exception()
    {
        var bug = new NullReferenceException("Object reference not set to an instance of an object.");
        _base.SetConfigError = bug;
        using var channel = GrpcChannel.ForAddress(_address);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Same(bug, entry.Exception);
        Assert.Equal(["method"], entry.Pairs.Select(p => p.Key));
    }

    [Fact]
    public async Task Status_message_with_non_ascii_text_survives_percent_encoding()
    {
        _base.SetConfigError = new InvalidOperationException("100% größer: ✓");
        using var channel = GrpcChannel.ForAddress(_address);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(new SetConfigRequest(), deadline: Deadline()));
        Assert.Equal("100% größer: ✓", error.Status.Detail);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented_in_a_trailers_only_response()
    {
        using var client = RawClient();
        using var response = await client.SendAsync(GrpcRequest("/" + PluginServiceBindings.TargetService + "/Status", Frame(new StatusRequest())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("12", Single(response.Headers, "grpc-status"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Server_streaming_call_sends_messages_before_it_ends()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest { Service = "plugin" }, deadline: Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Streams_end_when_the_server_stops()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest { Service = "plugin" }, deadline: Deadline());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        await _stopping.CancelAsync();
        // The health service ends its watch cleanly once the call is cancelled; the deadline bounds a hang.
        Assert.False(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, watch.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Grpc_timeout_from_the_host_ends_a_slow_call_with_deadline_exceeded()
    {
        _base.SetConfigWaitsForCancellation = true;
        using var client = RawClient();
        var request = GrpcRequest("/" + PluginServiceBindings.BasePluginService + "/SetConfig", Frame(new SetConfigRequest()));
        request.Headers.Add("grpc-timeout", "200m");
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("4", Single(response.Headers, "grpc-status"));
    }

    [Fact]
    public async Task Deadline_is_enforced_for_a_handler_that_ignores_cancellation()
    {
        _base.SetConfigIgnoresCancellation = true;
        using var client = RawClient();
        var request = GrpcRequest("/" + PluginServiceBindings.BasePluginService + "/SetConfig", Frame(new SetConfigRequest()));
        request.Headers.Add("grpc-timeout", "200m");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("4", Single(response.Headers, "grpc-status"));
        Assert.Empty(body);
        // The answer came while the service code was still running: the server did not wait for it.
        Assert.False(_base.ReleaseIgnoringCall.Task.IsCompleted);
        Assert.True(_base.IgnoringCallStarted.Task.IsCompleted);
    }

    [Fact]
    public async Task Every_response_says_it_accepts_only_the_identity_encoding()
    {
        using var client = RawClient();
        using var ok = await client.SendAsync(GrpcRequest("/" + PluginServiceBindings.HealthService + "/Check", Frame(new HealthCheckRequest { Service = "plugin" })));
        await ok.Content.ReadAsByteArrayAsync();
        using var unknown = await client.SendAsync(GrpcRequest("/no.Such/Method", Frame(new HealthCheckRequest())));

        Assert.Equal("identity", Single(ok.Headers, "grpc-accept-encoding"));
        Assert.Equal("identity", Single(unknown.Headers, "grpc-accept-encoding"));
        Assert.Equal("12", Single(unknown.Headers, "grpc-status"));
    }

    [Theory]
    [InlineData("gzip", "12")]
    [InlineData("deflate", "12")]
    [InlineData("identity", "0")]
    public async Task A_request_encoding_other_than_identity_is_unimplemented(string encoding, string status)
    {
        using var client = RawClient();
        var request = GrpcRequest("/" + PluginServiceBindings.HealthService + "/Check", Frame(new HealthCheckRequest { Service = "plugin" }));
        request.Headers.Add("grpc-encoding", encoding);
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        var actual = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single() : Single(response.Headers, "grpc-status");
        Assert.Equal(status, actual);
    }

    [Fact]
    public async Task Malformed_grpc_timeout_is_internal()
    {
        using var client = RawClient();
        var request = GrpcRequest("/" + PluginServiceBindings.HealthService + "/Check", Frame(new HealthCheckRequest()));
        request.Headers.Add("grpc-timeout", "soon");
        using var response = await client.SendAsync(request);
        Assert.Equal("13", Single(response.Headers, "grpc-status"));
    }

    [Fact]
    public async Task Compressed_message_is_unimplemented()
    {
        var body = Frame(new HealthCheckRequest { Service = "plugin" });
        body[0] = 1;
        var (status, _) = await RawCallAsync("/" + PluginServiceBindings.HealthService + "/Check", body);
        Assert.Equal("12", status);
    }

    [Fact]
    public async Task Message_over_the_receive_limit_is_resource_exhausted()
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), GrpcFraming.MaxReceiveMessageLength + 1);
        var (status, _) = await RawCallAsync("/" + PluginServiceBindings.HealthService + "/Check", header);
        Assert.Equal("8", status);
    }

    [Fact]
    public async Task Unary_call_with_two_request_messages_is_internal()
    {
        var one = Frame(new HealthCheckRequest { Service = "plugin" });
        var (status, _) = await RawCallAsync("/" + PluginServiceBindings.HealthService + "/Check", [.. one, .. one]);
        Assert.Equal("13", status);
    }

    [Fact]
    public async Task Request_cut_inside_a_message_is_internal()
    {
        var frame = Frame(new HealthCheckRequest { Service = "plugin" });
        var (status, _) = await RawCallAsync("/" + PluginServiceBindings.HealthService + "/Check", frame[..^2]);
        Assert.Equal("13", status);
    }

    [Fact]
    public async Task Successful_raw_call_has_one_framed_reply_and_status_zero_in_trailers()
    {
        var (status, body) = await RawCallAsync("/" + PluginServiceBindings.HealthService + "/Check", Frame(new HealthCheckRequest { Service = "plugin" }));
        Assert.Equal("0", status);
        Assert.Equal(0, body[0]);
        var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
        Assert.Equal(body.Length - 5, (int)length);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Parser.ParseFrom(body.AsSpan(5)).Status);
    }

    [Fact]
    public async Task Non_grpc_content_type_is_refused_with_415()
    {
        using var client = RawClient();
        var request = GrpcRequest("/" + PluginServiceBindings.HealthService + "/Check", Frame(new HealthCheckRequest()));
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Get_is_refused_with_405()
    {
        using var client = RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_address, "/" + PluginServiceBindings.HealthService + "/Check"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("7S", 70_000_000L)]
    [InlineData("7499m", 74_990_000L)]
    [InlineData("250u", 2_500L)]
    [InlineData("1000n", 10L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Grpc_timeout_units_parse(string header, long ticks)
    {
        Assert.True(GrpcHttpApplication.TryParseTimeout(header, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }

    [Theory]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-5S")]
    [InlineData("123456789S")]
    public void Malformed_grpc_timeouts_are_rejected(string header)
        => Assert.False(GrpcHttpApplication.TryParseTimeout(header, out _));

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("50%", "50%25")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("é", "%C3%A9")]
    public void Status_message_is_percent_encoded(string message, string encoded)
        => Assert.Equal(encoded, GrpcServerCall.EncodeStatusMessage(message));

    private async Task<(string? Status, byte[] Body)> RawCallAsync(string path, byte[] body)
    {
        using var client = RawClient();
        using var response = await client.SendAsync(GrpcRequest(path, body));
        var content = await response.Content.ReadAsByteArrayAsync();
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
            : response.Headers.TryGetValues("grpc-status", out var header) ? header.Single() : null;
        return (status, content);
    }

    private HttpClient RawClient() => new(new SocketsHttpHandler()) { Timeout = Timeout };

    private HttpRequestMessage GrpcRequest(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        return new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
    }

    private static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static string Single(HttpResponseHeaders headers, string name)
        => Assert.Single(headers.TryGetValues(name, out var values) ? values : []);

    private static DateTime Deadline() => DateTime.UtcNow + Timeout;

    private sealed record LogEntry(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Pairs, Exception? Exception);

    private sealed class CapturingLogger : ILogger
    {
        private readonly ConcurrentQueue<LogEntry> _entries = new();

        public IReadOnlyList<LogEntry> Entries => [.. _entries];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => _entries.Enqueue(new LogEntry(logLevel, formatter(state, exception), state is IEnumerable<KeyValuePair<string, object?>> pairs ? [.. pairs] : [], exception));
    }

    private sealed class TestBaseService : BasePluginService.BasePluginServiceBase
    {
        public Exception? SetConfigError { get; set; }

        public bool SetConfigWaitsForCancellation { get; set; }

        public bool SetConfigIgnoresCancellation { get; set; }

        public TaskCompletionSource IgnoringCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseIgnoringCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<SetConfigResponse> SetConfig(SetConfigRequest request, ServerCallContext context)
        {
            if (SetConfigIgnoresCancellation)
            {
                IgnoringCallStarted.TrySetResult();
                await ReleaseIgnoringCall.Task;
            }

            if (SetConfigWaitsForCancellation) await Task.Delay(System.Threading.Timeout.Infinite, context.CancellationToken);
            if (SetConfigError is not null) throw SetConfigError;
            return new SetConfigResponse();
        }
    }
}
