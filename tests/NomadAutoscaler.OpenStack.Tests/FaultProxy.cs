using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>What the proxy does with one request.</summary>
internal enum Fault
{
    /// <summary>Forward and return the real answer.</summary>
    None,

    /// <summary>Answer 503 without forwarding (the request never reaches Nova).</summary>
    RejectBefore,

    /// <summary>Forward, then answer 502 instead of Nova's answer (the request was applied, the answer is lost).</summary>
    LoseAnswer,

    /// <summary>Forward, then hold the connection without answering (the client times out; the request was applied).</summary>
    HangAfter,
}

/// <summary>A small HTTP proxy on 127.0.0.1 in front of a real service that injects faults chosen per request.</summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Func<string, string, Fault> _decide;
    private readonly CancellationTokenSource _stopping = new();
    private int _injected;

    private FaultProxy(WebApplication app, Uri target, Func<string, string, Fault> decide)
    {
        _app = app;
        Target = target;
        _decide = decide;
    }

    /// <summary>The real service's base URL.</summary>
    public Uri Target { get; }

    /// <summary>The proxy's base URL (same path as <see cref="Target"/>).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>How many faults were injected.</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <param name="target">The real service, e.g. <c>http://127.0.0.1:8774/v2.1</c>.</param>
    /// <param name="decide">(method, path) → the fault for that request.</param>
    public static async Task<FaultProxy> StartAsync(Uri target, Func<string, string, Fault> decide)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var proxy = new FaultProxy(app, target, decide);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        proxy.Address = new UriBuilder(target) { Host = bound.Host, Port = bound.Port }.Uri;
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var fault = _decide(request.Method, request.Path.Value ?? "");
        if (fault != Fault.None) Interlocked.Increment(ref _injected);
        if (fault == Fault.RejectBefore)
        {
            context.Response.StatusCode = 503;
            await context.Response.WriteAsync("injected: service unavailable");
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method),
            new Uri(new UriBuilder(Target) { Path = request.Path.Value, Query = request.QueryString.Value?.TrimStart('?') }.Uri.ToString()));
        foreach (var (name, values) in request.Headers)
        {
            if (name is "Host" or "Content-Length" or "Content-Type" or "Transfer-Encoding" or "Connection") continue;
            forward.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            forward.Content = new ByteArrayContent(buffer.ToArray());
            if (request.ContentType is { } contentType) forward.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var answer = await _upstream.SendAsync(forward);
        var body = await answer.Content.ReadAsByteArrayAsync();
        switch (fault)
        {
            case Fault.LoseAnswer:
                context.Response.StatusCode = 502;
                await context.Response.WriteAsync("injected: bad gateway");
                return;
            case Fault.HangAfter:
                try
                {
                    await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token).Token);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up (or the proxy stops): nothing to answer.
                }

                return;
            default:
                context.Response.StatusCode = (int)answer.StatusCode;
                foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
                {
                    if (name is "Transfer-Encoding" or "Connection" or "Content-Length") continue;
                    context.Response.Headers[name] = values.ToArray();
                }

                await context.Response.Body.WriteAsync(body);
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
        _stopping.Dispose();
    }
}
