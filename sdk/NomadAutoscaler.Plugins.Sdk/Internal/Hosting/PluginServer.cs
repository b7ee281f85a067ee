using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;
using NomadAutoscaler.Plugins.Sdk.Internal.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>The plugin side of go-plugin's gRPC mode: cookie, listener, handshake line, services, shutdown.</summary>
internal static class PluginServer
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type pluginType,
        string[] args)
    {
        // Capture the real stdout for the handshake line, then point Console.Out at stderr so that no stray
        // Console.Write from plugin or library code can ever corrupt the host's stdout protocol.
        using var stdout = Console.OpenStandardOutput();
        var stderr = Console.Error;
        Console.SetOut(stderr);

        // Ctrl-C in a terminal reaches the whole process group; only the host decides when a plugin stops.
        using var ignoreSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);

        if (Environment.GetEnvironmentVariable(PluginProtocol.MagicCookieKey) != PluginProtocol.MagicCookieValue)
        {
            await stderr.WriteAsync(PluginProtocol.NotAPluginMessage);
            await stderr.FlushAsync();
            return 1;
        }

        var timeProvider = TimeProvider.System;
        string name;
        try
        {
            name = PluginAdapter.NameOf(pluginType);
        }
        catch (InvalidOperationException exception)
        {
            await WriteFatalAsync(stderr, "plugin", timeProvider, exception.Message);
            return 1;
        }

        var logLevelText = Environment.GetEnvironmentVariable(PluginProtocol.LogLevelVariable);
        var invalidLogLevel = !string.IsNullOrEmpty(logLevelText) && !HclogJsonFormatter.TryParseLevel(logLevelText, out _);
        var logLevel = HclogJsonFormatter.TryParseLevel(logLevelText, out var parsedLevel) ? parsedLevel : LogLevel.Information;

        PluginListener listener;
        X509Certificate2? serverCertificate = null;
        X509Certificate2? hostCertificate = null;
        try
        {
            listener = PluginListener.Choose(Environment.GetEnvironmentVariable);
            var clientCertPem = Environment.GetEnvironmentVariable(PluginProtocol.ClientCertVariable);
            if (!string.IsNullOrEmpty(clientCertPem))
            {
                hostCertificate = AutoMtls.ParseHostCertificate(clientCertPem);
                serverCertificate = AutoMtls.GenerateCertificate(timeProvider);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await WriteFatalAsync(stderr, name, timeProvider, exception.Message);
            return 1;
        }

        var appVersion = HandshakeLine.NegotiateAppVersion(
            Environment.GetEnvironmentVariable(PluginProtocol.ProtocolVersionsVariable), PluginProtocol.ServedAppVersions, out var invalidVersions);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        if (serverCertificate is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            void Configure(ListenOptions options)
            {
                // go-plugin hosts speak h2c with prior knowledge (or h2 over TLS): HTTP/1.1 must not be offered.
                options.Protocols = HttpProtocols.Http2;
                if (serverCertificate is not null && hostCertificate is not null)
                {
                    options.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = serverCertificate,
                        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                        ClientCertificateValidation = (certificate, _, _) => AutoMtls.IsExactly(certificate, hostCertificate),
                    });
                }
            }

            if (listener.SocketPath is not null) kestrel.ListenUnixSocket(listener.SocketPath, Configure);
            else kestrel.Listen(IPAddress.Loopback, listener.TcpPort, Configure);
        });

        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new HclogJsonLoggerProvider(stderr, name, timeProvider));
        builder.Logging.SetMinimumLevel(logLevel);
        // Framework chatter ("Now listening on ...") would show up in the agent's log at INFO; keep it to warnings.
        var frameworkLevel = logLevel > LogLevel.Warning ? logLevel : LogLevel.Warning;
        builder.Logging.AddFilter("Microsoft", frameworkLevel);
        builder.Logging.AddFilter("Grpc", frameworkLevel);

        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSingleton<IHostLifetime, PluginHostLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton(sp => InProcessPluginFactory.Create(pluginType, sp));
        var health = new HealthServiceImpl();
        health.SetStatus(PluginProtocol.HealthServiceName, HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(health);
        builder.Services.AddGrpc(options =>
        {
            options.EnableDetailedErrors = false;
            options.Interceptors.Add<ErrorMappingInterceptor>();
        });

        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NomadAutoscaler.Plugins.Sdk.PluginHost");
        IInProcessPlugin plugin;
        try
        {
            plugin = app.Services.GetRequiredService<IInProcessPlugin>();
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "could not create the plugin: {Error}", exception.Message);
            listener.Cleanup();
            return 1;
        }

        if (invalidLogLevel) logger.LogWarning("ignoring {Variable}=\"{Value}\": use trace, debug, info, warn, error or off", PluginProtocol.LogLevelVariable, logLevelText);
        foreach (var invalid in invalidVersions) logger.LogWarning("host sent invalid plugin version {Version}", invalid);

        app.MapGrpcService<BasePluginGrpcService>();
        switch (plugin.Kind)
        {
            case PluginKind.Apm: app.MapGrpcService<ApmGrpcService>(); break;
            case PluginKind.Strategy: app.MapGrpcService<StrategyGrpcService>(); break;
            case PluginKind.Target: app.MapGrpcService<TargetGrpcService>(); break;
        }

        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcService<ControllerGrpcService>();
        app.MapGrpcService<StdioGrpcService>();
        app.MapGrpcService<BrokerGrpcService>();

        string address;
        try
        {
            await app.StartAsync();
            address = listener.SocketPath ?? BoundTcpAddress(app);
            var warning = listener.SecureSocket(Environment.GetEnvironmentVariable(PluginProtocol.UnixSocketGroupVariable));
            if (warning is not null) logger.LogWarning("{Warning}", warning);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "could not start listening: {Error}", exception.Message);
            listener.Cleanup();
            return 1;
        }

        var line = HandshakeLine.Build(
            appVersion, listener.Network, address, serverCertificate?.RawData,
            multiplexRequested: Environment.GetEnvironmentVariable(PluginProtocol.MultiplexVariable) is { Length: > 0 });
        await stdout.WriteAsync(Encoding.ASCII.GetBytes(line));
        await stdout.FlushAsync();

        logger.LogInformation("plugin serving: network={Network} address={Address} kind={Kind} tls={Tls}",
            listener.Network, address, plugin.Kind.ToWireName(), serverCertificate is not null);

        try
        {
            await app.WaitForShutdownAsync();
        }
        finally
        {
            listener.Cleanup();
            await plugin.DisposeAsync();
            serverCertificate?.Dispose();
            hostCertificate?.Dispose();
        }

        return 0;
    }

    private static string BoundTcpAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var uri = new Uri(addresses.First());
        return "127.0.0.1:" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task WriteFatalAsync(TextWriter stderr, string module, TimeProvider timeProvider, string message)
    {
        await stderr.WriteAsync(HclogJsonFormatter.Format(LogLevel.Error, module, message, timeProvider.GetUtcNow(), null, null) + "\n");
        await stderr.FlushAsync();
    }
}
