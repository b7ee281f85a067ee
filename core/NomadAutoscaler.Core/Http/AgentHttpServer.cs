using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Telemetry;

namespace NomadAutoscaler.Core.Http;

/// <summary>What the HTTP API serves; supplied by the composition root so the server knows nothing of signals or
/// configuration files.</summary>
/// <param name="Metrics">The in-memory sink behind <c>/v1/metrics</c>.</param>
/// <param name="PrometheusEnabled"><c>telemetry.prometheus_metrics</c>: when false, <c>?format=prometheus</c> is 415.</param>
/// <param name="Policies">The running policy manager, or null before the agent has started one.</param>
/// <param name="Reload">Runs the same reload as SIGHUP and completes when it is done; returns null on success or the
/// reason the new configuration was refused.</param>
/// <param name="Plugins">The running plugins, for <c>/v1/plugins</c>; null lists none.</param>
/// <param name="DebugEnabled"><c>enable_debug</c>, read per request so a reload turns <c>/debug/</c> on or off; null
/// is off.</param>
/// <param name="Time">The clock <c>/debug/runtime</c> stamps its answer with; null is the system clock.</param>
internal sealed record AgentHttpBackend(
    MetricsCollector Metrics,
    bool PrometheusEnabled,
    Func<PolicyManager?> Policies,
    Func<CancellationToken, Task<string?>> Reload,
    Func<IReadOnlyCollection<ManagedPlugin>>? Plugins = null,
    Func<bool>? DebugEnabled = null,
    TimeProvider? Time = null);

/// <summary>A host lifetime that neither waits for nor handles signals.</summary>
internal sealed class AgentHostLifetime : Microsoft.Extensions.Hosting.IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Raised when the HTTP API cannot listen; the message names the address and port.</summary>
internal sealed class HttpBindException(string message, Exception inner) : Exception(message, inner);

/// <summary>The agent's HTTP API on Kestrel, with upstream's paths, methods and plain-text errors plus
/// the read-only <c>/v1/policies</c> and <c>/v1/policy/{id}</c>.</summary>
internal sealed class AgentHttpServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly AgentHttpBackend _backend;
    private readonly ILogger _logger;
    private WebApplication? _app;

    public AgentHttpServer(AgentHttpBackend backend, ILoggerFactory loggers)
    {
        _backend = backend;
        _logger = loggers.CreateLogger("http_server");
    }

    /// <summary>The bound address (with the real port when 0 was asked for).</summary>
    public Uri? Address { get; private set; }

    /// <summary>Starts listening. A busy port or an unusable address raises <see cref="HttpBindException"/>.</summary>
    public async Task StartAsync(string bindAddress, int port, CancellationToken cancellationToken)
    {
        var ip = bindAddress switch
        {
            "" or "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(bindAddress, out var parsed) => parsed,
            _ => throw new HttpBindException($"failed to start HTTP server: http.bind_address \"{bindAddress}\" is not an IP address", new FormatException()),
        };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // The agent owns SIGINT/SIGTERM/SIGHUP; the default console lifetime would take them over.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, AgentHostLifetime>();
        builder.WebHost.UseSetting(WebHostDefaults.PreventHostingStartupKey, "true");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(ip, port);
            // Upstream's net/http server reads headers within 5s and keeps idle connections 15s; its 15s write timeout has
            // no Kestrel equivalent.
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(15);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            var endpoint = new IPEndPoint(ip, port).ToString();
            var reason = ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
                || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                ? "the address is already in use"
                : ex.Message;
            throw new HttpBindException($"failed to start HTTP server on {endpoint} (http.bind_address \"{bindAddress}\", http.bind_port {port}): {reason}", ex);
        }

        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
        _logger.Hclog(LogLevel.Information, "server now listening for connections", ("address", Address.Authority));
    }

    /// <summary>The whole API, one dispatch: upstream's status codes depend on path and method together, which
    /// endpoint routing would blur (it answers 405 with an empty body, for instance).</summary>
    internal async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var method = request.Method;
        try
        {
            switch (path)
            {
                case "/v1/health":
                    if (method != HttpMethods.Get) await TextAsync(context, 405, "Invalid method");
                    else context.Response.StatusCode = 200;
                    return;
                case "/v1/metrics":
                    if (method != HttpMethods.Get) await TextAsync(context, 405, "Invalid method");
                    else await MetricsAsync(context);
                    return;
                case "/v1/agent/reload":
                    if (method != HttpMethods.Put && method != HttpMethods.Post) await TextAsync(context, 405, "Invalid method");
                    else await ReloadAsync(context);
                    return;
                case "/v1/policies":
                    if (method != HttpMethods.Get) await TextAsync(context, 405, "Invalid method");
                    else await JsonAsync(context, 200, PolicyStateJson.List(_backend.Policies()));
                    return;
                case "/v1/plugins":
                    if (method != HttpMethods.Get) await TextAsync(context, 405, "Invalid method");
                    else await JsonAsync(context, 200, PluginsJson(_backend.Plugins?.Invoke() ?? []));
                    return;
                case "/ui":
                    context.Response.StatusCode = 301;
                    context.Response.Headers.Location = "/ui/";
                    return;
                case "/ui/":
                    if (method != HttpMethods.Get) await TextAsync(context, 405, "Invalid method");
                    else await StatusPage.WriteAsync(context);
                    return;
            }

            if (path.StartsWith("/debug/", StringComparison.Ordinal) && _backend.DebugEnabled?.Invoke() == true)
            {
                await DebugAsync(context, path);
                return;
            }

            if (path.StartsWith("/v1/agent/", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404;
                return;
            }

            if (path.StartsWith("/v1/policy/", StringComparison.Ordinal) && path.Length > "/v1/policy/".Length)
            {
                if (method != HttpMethods.Get)
                {
                    await TextAsync(context, 405, "Invalid method");
                    return;
                }

                var id = Uri.UnescapeDataString(path["/v1/policy/".Length..]);
                if (_backend.Policies()?.Find(id) is { } handler) await JsonAsync(context, 200, PolicyStateJson.Detail(handler));
                else await TextAsync(context, 404, "policy not found");
                return;
            }

            await TextAsync(context, 404, "404 page not found");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
    }

    /// <summary>Only reached with <c>enable_debug</c>; without it every <c>/debug/</c> path is the ordinary 404, so
    /// nothing tells a caller the endpoints exist.</summary>
    private async Task DebugAsync(HttpContext context, string path)
    {
        JsonNode? body = path switch
        {
            "/debug/" => DebugEndpoints.IndexJson(),
            "/debug/runtime" => DebugEndpoints.Runtime(_backend.Time ?? TimeProvider.System),
            "/debug/threads" => DebugEndpoints.Threads(),
            _ => null,
        };
        if (body is null) await TextAsync(context, 404, "404 page not found");
        else if (context.Request.Method != HttpMethods.Get) await TextAsync(context, 405, "Invalid method");
        else await JsonAsync(context, 200, body);
    }

    private async Task MetricsAsync(HttpContext context)
    {
        if (context.Request.Query["format"] == "prometheus")
        {
            if (!_backend.PrometheusEnabled)
            {
                await TextAsync(context, 415, "Prometheus is not enabled");
                return;
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(_backend.Metrics.RenderPrometheus(), context.RequestAborted);
            return;
        }

        await JsonAsync(context, 200, _backend.Metrics.RenderJson());
    }

    private static JsonObject PluginsJson(IReadOnlyCollection<ManagedPlugin> plugins) => new()
    {
        ["plugins"] = new JsonArray([.. plugins
            .OrderBy(p => p.Block.Kind).ThenBy(p => p.Block.Name, StringComparer.Ordinal)
            .Select(p => (JsonNode)new JsonObject
            {
                ["kind"] = p.Block.Kind.ToString().ToLowerInvariant(),
                ["name"] = p.Block.Name,
                ["driver"] = p.Block.Driver,
                ["mode"] = p.Block.Mode == PluginLoadMode.InProcess ? "in-process" : "external",
                ["version"] = PluginVersion(p),
                ["pid"] = p.ProcessId,
                ["restarts"] = p.Restarts,
            })]),
    };

    /// <summary>The plugin's assembly or executable version; in-process plugins and the bundled executables carry
    /// the agent's own.</summary>
    private static string PluginVersion(ManagedPlugin plugin)
    {
        try
        {
            if (plugin.ProcessId is { } pid)
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                var path = process.MainModule?.FileName;
                if (path is not null && System.Diagnostics.FileVersionInfo.GetVersionInfo(path).ProductVersion is { Length: > 0 } version) return version.Split('+')[0];
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            // The plugin exited between the listing and the look-up; the agent's version is the best answer.
        }

        return (typeof(AgentHttpServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown").Split('+')[0];
    }

    private async Task ReloadAsync(HttpContext context)
    {
        // Synchronous as upstream: the answer comes once the reload is done. Unlike upstream (which exits 1), a
        // refused configuration leaves the old one running and is reported to the caller.
        var error = await _backend.Reload(context.RequestAborted);
        if (error is null) context.Response.StatusCode = 200;
        else await TextAsync(context, 500, error);
    }

    private static Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(Indented) + "\n", context.RequestAborted);
    }

    /// <summary>As Go's <c>http.Error</c>: plain text, a trailing newline, nosniff.</summary>
    private static Task TextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _app = null;
    }
}
