using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

/// <summary>Kestrel's request-body limits per call kind, read from the features Kestrel hands each request: a
/// streaming request (go-plugin's broker stream) may be idle for minutes and long in total, a single-message request
/// keeps Kestrel's protection.</summary>
public sealed class GrpcStreamingLimitsTests
{
    private const string Path = "/test.Limits/Call";

    [Theory]
    [InlineData(MethodType.DuplexStreaming, true)]
    [InlineData(MethodType.ServerStreaming, false)]
    [InlineData(MethodType.Unary, false)]
    public async Task Only_streaming_requests_lift_the_body_rate_and_size_limits(MethodType type, bool lifted)
    {
        var methods = new GrpcMethodTable();
        switch (type)
        {
            case MethodType.DuplexStreaming:
                methods.AddDuplexStreaming<HealthCheckRequest, HealthCheckResponse>("test.Limits", "Call", async (requests, _, _) =>
                {
                    while (await requests.MoveNext(CancellationToken.None))
                    {
                    }
                });
                break;
            case MethodType.ServerStreaming:
                methods.AddServerStreaming<HealthCheckRequest, HealthCheckResponse>("test.Limits", "Call", (_, _, _) => Task.CompletedTask);
                break;
            default:
                methods.AddUnary<HealthCheckRequest, HealthCheckResponse>("test.Limits", "Call", (_, _) => Task.FromResult(new HealthCheckResponse()));
                break;
        }

        var rate = new RateFeature();
        var size = new SizeFeature();
        var trailers = new TrailersFeature();
        var http = Request(Frame(new HealthCheckRequest { Service = "plugin" }), rate, size, trailers);

        await new GrpcHttpApplication(methods, NullLogger.Instance, CancellationToken.None).ProcessRequestAsync(http);

        var status = http.Response.Headers["grpc-status"].ToString() is { Length: > 0 } inHeaders ? inHeaders : trailers.Trailers["grpc-status"].ToString();
        Assert.Equal("0", status);
        Assert.Equal(lifted, rate.MinDataRate is null);
        Assert.Equal(lifted, size.MaxRequestBodySize is null);
    }

    private static DefaultHttpContext Request(byte[] body, RateFeature rate, SizeFeature size, TrailersFeature trailers)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = "POST",
            Path = Path,
            Headers = new HeaderDictionary { ["content-type"] = "application/grpc" },
            Body = new MemoryStream(body),
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new MemoryStream()));
        features.Set<IHttpResponseTrailersFeature>(trailers);
        features.Set<IHttpMinRequestBodyDataRateFeature>(rate);
        features.Set<IHttpMaxRequestBodySizeFeature>(size);
        return new DefaultHttpContext(features);
    }

    private static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    // Kestrel's defaults: 240 bytes/s after a 5 s grace period, 30,000,000 bytes.
    private sealed class RateFeature : IHttpMinRequestBodyDataRateFeature
    {
        public MinDataRate? MinDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));
    }

    private sealed class SizeFeature : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; } = 30_000_000;
    }

    private sealed class TrailersFeature : IHttpResponseTrailersFeature
    {
        public IHeaderDictionary Trailers { get; set; } = new HeaderDictionary();
    }
}
