using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

/// <summary>The server side of gRPC over HTTP/2 as go-plugin hosts speak it, on Kestrel: request validation, method
/// dispatch, deadlines, and the status in trailers (or trailers-only when nothing was sent). Exceptions from plugin
/// code become the statuses of <see cref="RpcErrors"/>. What it supports and what not: README.md in this folder.</summary>
internal sealed class GrpcHttpApplication(GrpcMethodTable methods, ILogger logger, CancellationToken serverStopping)
    : IHttpApplication<HttpContext>
{
    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(HttpContext http)
    {
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "POST";
            return;
        }

        if (!IsGrpcContentType(request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/grpc";
        // Tells the host not to compress what it sends: only the identity encoding is implemented.
        http.Response.Headers[AcceptEncodingHeader] = IdentityEncoding;
        var encoding = request.Headers[EncodingHeader].ToString();
        if (encoding.Length > 0 && encoding != IdentityEncoding)
        {
            WriteStatus(http, started: false, new Status(StatusCode.Unimplemented, $"grpc-encoding \"{encoding}\" is not supported; supported: {IdentityEncoding}"), null);
            return;
        }

        var path = request.Path.Value ?? "";
        if (!methods.TryGetHandler(path, out var handler))
        {
            WriteStatus(http, started: false, new Status(StatusCode.Unimplemented, $"unknown method {path}"), null);
            return;
        }

        if (handler.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming) DisableRequestBodyLimits(http);

        if (!TryParseTimeout(request.Headers["grpc-timeout"], out var timeout))
        {
            WriteStatus(http, started: false, new Status(StatusCode.Internal, $"malformed grpc-timeout \"{request.Headers["grpc-timeout"]}\""), null);
            return;
        }

        // Long-lived streams (stdio, broker, health watch) must end when the plugin stops; unary calls in flight are
        // left to finish, which is what lets Shutdown's own reply reach the host.
        var stopping = handler.Type == MethodType.Unary ? CancellationToken.None : serverStopping;
        var call = new GrpcServerCall(http, path, timeout, stopping);
        var handling = handler.HandleAsync(call);
        if (call.DeadlinePassed is { } deadline && await Task.WhenAny(handling, deadline) != handling)
        {
            // The service code ignores its cancellation token. Answer for it, as grpc-dotnet does: the host gets
            // DEADLINE_EXCEEDED on time, and whatever the code writes later never reaches this (reusable) stream.
            await call.CloseAsync();
            _ = ForgetAsync(handling, call, path);
            if (http.RequestAborted.IsCancellationRequested) return;
            WriteStatus(http, call.HeadersSent || http.Response.HasStarted, new Status(StatusCode.DeadlineExceeded, "deadline exceeded"), null);
            return;
        }

        using (call)
        {
            Status status;
            Metadata? trailers = call.ResponseTrailers;
            try
            {
                await handling;
                status = call.Status;
            }
            catch (Exception exception)
            {
                var rpc = ToRpcException(exception, call, path);
                status = rpc.Status;
                foreach (var entry in rpc.Trailers) trailers.Add(entry);
            }

            if (http.RequestAborted.IsCancellationRequested) return;
            WriteStatus(http, call.HeadersSent || http.Response.HasStarted, status, trailers);
        }
    }

    // Lets a handler that outlived its call finish in the background; its end is only worth a debug line.
    private async Task ForgetAsync(Task handling, GrpcServerCall call, string method)
    {
        using (call)
        {
            try
            {
                await handling;
            }
            catch (Exception exception)
            {
                logger.Hclog(LogLevel.Debug, "call ended after its deadline", ("method", method), ("error", exception.Message));
            }
        }
    }

    // As grpc-dotnet does for streaming requests: the body stays open for as long as the call (go-plugin's broker
    // stream lives as long as the plugin), idle for minutes and long in total, so Kestrel's minimum data rate would
    // abort it and its body size limit would end it. Each message stays bounded by GrpcFraming.MaxReceiveMessageLength.
    private static void DisableRequestBodyLimits(HttpContext http)
    {
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
    }

    private RpcException ToRpcException(Exception exception, GrpcServerCall call, string method)
    {
        switch (exception)
        {
            case RpcException rpc:
                return rpc;
            case OperationCanceledException when call.DeadlineExceeded:
                return new RpcException(new Status(StatusCode.DeadlineExceeded, "deadline exceeded"));
            case OperationCanceledException when serverStopping.IsCancellationRequested && !call.Http.RequestAborted.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Unavailable, "the plugin is shutting down"));
        }

        var mapped = RpcErrors.ToRpcException(exception);
        // A no-op is the agent's to report, a cancelled call has no one left to tell. Only a bug gets a stack trace: the
        // plugin's own failures ("no nodes identified within pool") are one line whose message the agent also logs.
        if (mapped.StatusCode is StatusCode.Aborted or StatusCode.Cancelled) return mapped;
        if (RpcErrors.IsBug(exception))
            logger.Hclog(LogLevel.Error, exception, "call failed", ("method", method));
        else
            logger.Hclog(mapped.StatusCode == StatusCode.Internal ? LogLevel.Error : LogLevel.Warning, "call failed", ("method", method), ("error", exception.Message));
        return mapped;
    }

    private static void WriteStatus(HttpContext http, bool started, Status status, Metadata? trailers)
    {
        // Nothing sent yet: a trailers-only response, the status in the one HEADERS frame (as grpc-go servers do).
        var target = started ? null : http.Response.Headers;
        void Put(string key, string value)
        {
            if (target is not null) target.Append(key, value);
            else http.Response.AppendTrailer(key, value);
        }

        Put("grpc-status", ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(status.Detail)) Put("grpc-message", GrpcServerCall.EncodeStatusMessage(status.Detail));
        if (trailers is null) return;
        foreach (var entry in trailers)
            Put(entry.Key, entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value);
    }

    internal const string AcceptEncodingHeader = "grpc-accept-encoding";
    internal const string EncodingHeader = "grpc-encoding";
    internal const string IdentityEncoding = "identity";

    private static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)) return false;
        if (contentType.Length == "application/grpc".Length) return true;
        var next = contentType["application/grpc".Length];
        return next is '+' or ';';
    }

    /// <summary>grpc-timeout is at most 8 digits and a unit: H, M, S, m (ms), u (µs) or n (ns).</summary>
    internal static bool TryParseTimeout(StringValues header, out TimeSpan? timeout)
    {
        timeout = null;
        if (StringValues.IsNullOrEmpty(header)) return true;
        var text = header.ToString();
        if (text.Length is < 2 or > 9) return false;
        if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)) return false;
        long? ticks = text[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            'n' => amount / 100,
            _ => null,
        };
        if (ticks is null) return false;
        timeout = TimeSpan.FromTicks(Math.Max(ticks.Value, 0));
        return true;
    }
}
