using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

/// <summary>One gRPC call on one HTTP/2 stream: the <see cref="ServerCallContext"/> the generated service code sees,
/// plus the response plumbing (headers once, messages, status) the method handlers share.</summary>
internal sealed class GrpcServerCall : ServerCallContext, IDisposable
{
    private readonly HttpContext _http;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource? _callEnds;
    private Metadata? _requestHeaders;
    private readonly Metadata _responseTrailers = [];
    private readonly SemaphoreSlim _oneWriteAtATime = new(1, 1);
    private readonly TaskCompletionSource? _deadlinePassed;
    private bool _headersSent;
    private bool _closed;

    public GrpcServerCall(HttpContext http, string method, TimeSpan? timeout, CancellationToken serverStopping)
    {
        _http = http;
        MethodCore = method;
        DeadlineCore = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        if (timeout is { } after)
        {
            _deadline = new CancellationTokenSource(after);
            _deadlinePassed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _deadline.Token.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), _deadlinePassed);
        }

        if (_deadline is not null || serverStopping.CanBeCanceled)
        {
            _callEnds = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, serverStopping, _deadline?.Token ?? CancellationToken.None);
            CancellationTokenCore = _callEnds.Token;
        }
        else
        {
            CancellationTokenCore = http.RequestAborted;
        }
    }

    public HttpContext Http => _http;

    /// <summary>True when the call ended because its grpc-timeout passed rather than because the host hung up.</summary>
    public bool DeadlineExceeded => _deadline is { IsCancellationRequested: true } && !_http.RequestAborted.IsCancellationRequested;

    public bool HeadersSent => _headersSent;

    /// <summary>Completes when the grpc-timeout passes; null without one.</summary>
    public Task? DeadlinePassed => _deadlinePassed?.Task;

    /// <summary>The request body, for the method handlers. Throws once the call was answered without its handler.</summary>
    public PipeReader RequestBody
        => _closed ? throw new InvalidOperationException("the call was already answered (its deadline passed)") : _http.Request.BodyReader;

    /// <summary>Stops every later write of the service code from reaching the response: the dispatcher answers a call
    /// whose handler ignored its deadline, and the HTTP/2 stream may be reused once that answer is sent. Waits for a
    /// write in progress, which the deadline's cancellation ends.</summary>
    public async Task CloseAsync()
    {
        await _oneWriteAtATime.WaitAsync(CancellationToken.None);
        _closed = true;
        _oneWriteAtATime.Release();
    }

    protected override string MethodCore { get; }

    protected override string HostCore => _http.Request.Host.Value ?? "";

    protected override string PeerCore
    {
        get
        {
            var connection = _http.Connection;
            return connection.RemoteIpAddress is { } address
                ? string.Create(CultureInfo.InvariantCulture, $"ipv4:{address}:{connection.RemotePort}")
                : "unix:";
        }
    }

    protected override DateTime DeadlineCore { get; }

    protected override Metadata RequestHeadersCore => _requestHeaders ??= ReadRequestHeaders(_http.Request.Headers);

    protected override CancellationToken CancellationTokenCore { get; }

    protected override Metadata ResponseTrailersCore => _responseTrailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options)
        => throw new NotSupportedException("plugins do not make outgoing gRPC calls that inherit a deadline");

    protected override async Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        await _oneWriteAtATime.WaitAsync(CancellationTokenCore);
        try
        {
            ThrowIfClosed();
            if (_headersSent) throw new InvalidOperationException("response headers were already sent");
            foreach (var entry in responseHeaders)
                _http.Response.Headers.Append(entry.Key, entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value);
            await SendHeadersAsync();
        }
        finally
        {
            _oneWriteAtATime.Release();
        }
    }

    /// <summary>Sends the response headers now: streaming hosts wait for them before they treat the stream as open.</summary>
    private async Task SendHeadersAsync()
    {
        if (_headersSent) return;
        _headersSent = true;
        await _http.Response.StartAsync(CancellationTokenCore);
        await _http.Response.BodyWriter.FlushAsync(CancellationTokenCore);
    }

    /// <summary>Writes one message, flushed for a response stream. Service code may write from several tasks, and
    /// frames must not interleave.</summary>
    public async Task WriteMessageAsync<T>(Marshaller<T> marshaller, T message, bool flush)
    {
        await _oneWriteAtATime.WaitAsync(CancellationTokenCore);
        try
        {
            ThrowIfClosed();
            _headersSent = true;
            GrpcFraming.WriteMessage(_http.Response.BodyWriter, marshaller, message);
            if (flush) await _http.Response.BodyWriter.FlushAsync(CancellationTokenCore);
        }
        finally
        {
            _oneWriteAtATime.Release();
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw new InvalidOperationException("the call was already answered (its deadline passed)");
    }

    public void Dispose()
    {
        _callEnds?.Dispose();
        _deadline?.Dispose();
        _oneWriteAtATime.Dispose();
    }

    private static Metadata ReadRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers)
        {
            if (key.StartsWith(':') || IsTransportHeader(key)) continue;
            foreach (var value in (StringValues)values)
            {
                if (value is null) continue;
                if (key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase))
                {
                    if (TryDecodeBase64(value, out var bytes)) metadata.Add(key.ToLowerInvariant(), bytes);
                }
                else
                {
                    metadata.Add(key.ToLowerInvariant(), value);
                }
            }
        }

        return metadata;
    }

    private static bool IsTransportHeader(string key)
        => key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
            || key.Equals("te", StringComparison.OrdinalIgnoreCase)
            || key.Equals("host", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase);

    internal static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        // gRPC peers may omit base64 padding on binary headers.
        var padded = (value.Length % 4) switch { 2 => value + "==", 3 => value + "=", _ => value };
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>grpc-message is percent-encoded UTF-8: bytes outside printable ASCII, and '%' itself, become %XX.</summary>
    internal static string EncodeStatusMessage(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c < ' ' || c > '~' || c == '%') { needs = true; break; }
        }

        if (!needs) return message;
        var builder = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b < ' ' || b > '~' || b == '%') builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            else builder.Append((char)b);
        }

        return builder.ToString();
    }
}
