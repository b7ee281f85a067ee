using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

namespace NomadAutoscaler.Plugins.Sdk.Tests.Interop;

/// <summary>The standard gRPC interop client cases that apply to the plugin server, ported to run in-process against
/// <see cref="GrpcHttpApplication"/> with Grpc.Net.Client (and a raw HTTP/2 client where the case is about the bytes).
/// Each test is named after its case; the server README lists the cases left out and why.</summary>
public sealed class GrpcInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const int LargeRequestSize = 271828;
    private const int LargeResponseSize = 314159;
    private static readonly int[] RequestSizes = [27182, 8, 1828, 45904];
    private static readonly int[] ResponseSizes = [31415, 9, 2653, 58979];
    private const string SpecialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

    private readonly CancellationTokenSource _stopping = new();
    private readonly InteropTestService _service = new();
    private KestrelServer? _server;
    private GrpcChannel _channel = null!;
    private CallInvoker _client = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var methods = new GrpcMethodTable();
        _service.Bind(methods);
        _server = GrpcKestrelServer.Create(NullLoggerFactory.Instance, (options, configure) => options.Listen(IPAddress.Loopback, 0, configure));
        await _server.StartAsync(new GrpcHttpApplication(methods, NullLogger.Instance, _stopping.Token), CancellationToken.None);
        _address = new Uri(_server.Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _channel = GrpcChannel.ForAddress(_address, new GrpcChannelOptions { MaxReceiveMessageSize = 4 * 1024 * 1024 });
        _client = _channel.CreateCallInvoker();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
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
    public async Task empty_unary()
    {
        var reply = await _client.AsyncUnaryCall(TestServiceMethods.EmptyCall, null, Options(), new Empty());
        Assert.NotNull(reply);
    }

    [Fact]
    public async Task large_unary()
    {
        var reply = await _client.AsyncUnaryCall(TestServiceMethods.UnaryCall, null, Options(), LargeUnaryRequest());
        AssertZeros(LargeResponseSize, reply.Payload);
    }

    [Fact]
    public async Task client_compressed_unary_probe_is_refused_then_a_compressed_message_is_unimplemented()
    {
        // The case's probe: an uncompressed message that says it is compressed must fail with INVALID_ARGUMENT.
        var probe = await Assert.ThrowsAsync<RpcException>(async () => await _client.AsyncUnaryCall(
            TestServiceMethods.UnaryCall, null, Options(), LargeUnaryRequest(expectCompressed: true)));
        Assert.Equal(StatusCode.InvalidArgument, probe.StatusCode);

        // The case's compressed message: the server supports only identity, and says so rather than guessing.
        var compressed = await Assert.ThrowsAsync<RpcException>(async () => await _client.AsyncUnaryCall(
            TestServiceMethods.UnaryCall, null, Options(new Metadata { { "grpc-internal-encoding-request", "gzip" } }), LargeUnaryRequest(expectCompressed: true)));
        Assert.Equal(StatusCode.Unimplemented, compressed.StatusCode);
        Assert.Contains("grpc-encoding \"gzip\" is not supported; supported: identity", compressed.Status.Detail, StringComparison.Ordinal);

        // The case's last, uncompressed message succeeds.
        var reply = await _client.AsyncUnaryCall(TestServiceMethods.UnaryCall, null, Options(), LargeUnaryRequest(expectCompressed: false));
        AssertZeros(LargeResponseSize, reply.Payload);
    }

    [Fact]
    public async Task server_compressed_unary_is_answered_uncompressed()
    {
        // The client accepts gzip and asks for a compressed reply; the server never compresses, so the reply's
        // message flag is 0, no grpc-encoding is sent, and grpc-accept-encoding tells the client to send identity.
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout };
        using var request = RawRequest("/" + TestServiceMethods.Service + "/UnaryCall", Frame(SimpleRequest.Marshaller, LargeUnaryRequest(responseCompressed: true)));
        request.Headers.Add("grpc-accept-encoding", "identity,gzip");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("0", Assert.Single(response.TrailingHeaders.GetValues("grpc-status")));
        Assert.False(response.Headers.Contains("grpc-encoding"));
        Assert.Equal("identity", Assert.Single(response.Headers.GetValues("grpc-accept-encoding")));
        Assert.Equal(0, body[0]);
        Assert.Equal(body.Length - 5, (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)));
        AssertZeros(LargeResponseSize, SimpleResponse.Marshaller.Deserializer(body[5..]).Payload);
    }

    [Fact]
    public async Task server_streaming()
    {
        var request = new StreamingOutputCallRequest { ResponseParameters = [.. ResponseSizes.Select(size => new ResponseParameters { Size = size })] };
        using var call = _client.AsyncServerStreamingCall(TestServiceMethods.StreamingOutputCall, null, Options(), request);

        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) sizes.Add(ZerosLength(call.ResponseStream.Current.Payload));

        Assert.Equal(ResponseSizes, sizes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ping_pong()
    {
        using var call = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, Options());
        var sizes = new List<int>();
        for (var i = 0; i < RequestSizes.Length; i++)
        {
            await call.RequestStream.WriteAsync(DuplexRequest(ResponseSizes[i], RequestSizes[i]));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            sizes.Add(ZerosLength(call.ResponseStream.Current.Payload));
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(ResponseSizes, sizes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task empty_stream()
    {
        using var call = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, Options());
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task custom_metadata()
    {
        byte[] trailingValue = [0xab, 0xab, 0xab];
        Metadata Echo() => new() { { InteropTestService.EchoInitialKey, "test_initial_metadata_value" }, { InteropTestService.EchoTrailingKey, trailingValue } };

        using (var unary = _client.AsyncUnaryCall(TestServiceMethods.UnaryCall, null, Options(Echo()), LargeUnaryRequest()))
        {
            AssertZeros(LargeResponseSize, (await unary.ResponseAsync).Payload);
            Assert.Equal("test_initial_metadata_value", (await unary.ResponseHeadersAsync).GetValue(InteropTestService.EchoInitialKey));
            Assert.Equal(trailingValue, unary.GetTrailers().GetValueBytes(InteropTestService.EchoTrailingKey));
        }

        using var duplex = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, Options(Echo()));
        await duplex.RequestStream.WriteAsync(DuplexRequest(LargeResponseSize, LargeRequestSize));
        await duplex.RequestStream.CompleteAsync();
        Assert.True(await duplex.ResponseStream.MoveNext(CancellationToken.None));
        AssertZeros(LargeResponseSize, duplex.ResponseStream.Current.Payload);
        Assert.False(await duplex.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("test_initial_metadata_value", (await duplex.ResponseHeadersAsync).GetValue(InteropTestService.EchoInitialKey));
        Assert.Equal(trailingValue, duplex.GetTrailers().GetValueBytes(InteropTestService.EchoTrailingKey));
    }

    [Fact]
    public async Task status_code_and_message()
    {
        var echo = new EchoStatus { Code = 2, Message = "test status message" };
        var unary = await Assert.ThrowsAsync<RpcException>(async () => await _client.AsyncUnaryCall(
            TestServiceMethods.UnaryCall, null, Options(), new SimpleRequest { ResponseStatus = echo }));
        Assert.Equal(StatusCode.Unknown, unary.StatusCode);
        Assert.Equal("test status message", unary.Status.Detail);

        using var duplex = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, Options());
        await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = echo });
        await duplex.RequestStream.CompleteAsync();
        var streamed = await Assert.ThrowsAsync<RpcException>(async () => await duplex.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unknown, streamed.StatusCode);
        Assert.Equal("test status message", streamed.Status.Detail);
    }

    [Fact]
    public async Task special_status_message()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.AsyncUnaryCall(
            TestServiceMethods.UnaryCall, null, Options(), new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = SpecialStatusMessage } }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal(SpecialStatusMessage, error.Status.Detail);
    }

    [Fact]
    public async Task unimplemented_method()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.AsyncUnaryCall(TestServiceMethods.UnimplementedCall, null, Options(), new Empty()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task unimplemented_service()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.AsyncUnaryCall(TestServiceMethods.UnimplementedServiceCall, null, Options(), new Empty()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task cancel_after_begin()
    {
        // The case uses StreamingInputCall (client streaming), which the plugin server has no method for; a duplex call
        // that has sent its headers and no message is the same point in the stream.
        using var cancel = new CancellationTokenSource();
        using var call = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, Options(cancellationToken: cancel.Token));
        await _service.DuplexStarted.Task.WaitAsync(Timeout);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await _service.DuplexTokenFired.Task.WaitAsync(Timeout));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task cancel_after_first_response()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, Options(cancellationToken: cancel.Token));
        await call.RequestStream.WriteAsync(DuplexRequest(31415, 27182));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        AssertZeros(31415, call.ResponseStream.Current.Payload);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await _service.DuplexTokenFired.Task.WaitAsync(Timeout));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task timeout_on_sleeping_server()
    {
        using var call = _client.AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(1)));
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Payload.Zeros(27182) });
        }
        catch (RpcException)
        {
            // The 1 ms deadline may pass before the message is written; the call's status is what the case checks.
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task timeout_on_sleeping_server_status_comes_from_the_server()
    {
        // Grpc.Net.Client enforces a deadline itself as well, so the case above would pass against a server that
        // ignored grpc-timeout. Here the client only sends the header and keeps its request stream open, as a sleeping
        // call does: DEADLINE_EXCEEDED can come only from the server, and the service's token must have fired.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout };
            using var request = RawRequest(
                "/" + TestServiceMethods.Service + "/FullDuplexCall", Frame(StreamingOutputCallRequest.Marshaller, new StreamingOutputCallRequest { Payload = Payload.Zeros(27182) }), release.Task);
            request.Headers.Add("grpc-timeout", "1m");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            Assert.Equal("4", Assert.Single(response.Headers.GetValues("grpc-status")));
            Assert.True(await _service.DuplexTokenFired.Task.WaitAsync(Timeout));
        }
        finally
        {
            release.TrySetResult();
        }

        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        var reply = await _client.AsyncUnaryCall(TestServiceMethods.UnaryCall, null, Options(), LargeUnaryRequest());
        AssertZeros(LargeResponseSize, reply.Payload);
    }

    private static CallOptions Options(Metadata? headers = null, CancellationToken cancellationToken = default)
        => new(headers, DateTime.UtcNow + Timeout, cancellationToken);

    private static SimpleRequest LargeUnaryRequest(bool? expectCompressed = null, bool? responseCompressed = null) => new()
    {
        ResponseSize = LargeResponseSize,
        Payload = Payload.Zeros(LargeRequestSize),
        ExpectCompressed = expectCompressed,
        ResponseCompressed = responseCompressed,
    };

    private static StreamingOutputCallRequest DuplexRequest(int responseSize, int requestSize) => new()
    {
        ResponseParameters = [new ResponseParameters { Size = responseSize }],
        Payload = Payload.Zeros(requestSize),
    };

    private static void AssertZeros(int size, Payload? payload) => Assert.Equal(size, ZerosLength(payload));

    private static int ZerosLength(Payload? payload)
    {
        Assert.NotNull(payload);
        Assert.DoesNotContain(payload.Body, b => b != 0);
        return payload.Body.Length;
    }

    private HttpRequestMessage RawRequest(string path, byte[] body, Task? keepOpenUntil = null)
    {
        HttpContent content = keepOpenUntil is null ? new ByteArrayContent(body) : new OpenStreamContent(body, keepOpenUntil);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        return request;
    }

    private static byte[] Frame<T>(Marshaller<T> marshaller, T message)
    {
        var payload = marshaller.Serializer(message);
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>A request body that sends its message and then stays open, like a host whose call is still running.</summary>
    private sealed class OpenStreamContent(byte[] body, Task keepOpenUntil) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body);
            await stream.FlushAsync();
            await keepOpenUntil;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
