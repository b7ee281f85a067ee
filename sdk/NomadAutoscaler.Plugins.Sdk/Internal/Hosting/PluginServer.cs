using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;
using NomadAutoscaler.Plugins.Sdk.Internal.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;

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

        var frameworkLevel = logLevel > LogLevel.Warning ? logLevel : LogLevel.Warning;
        var filters = new LoggerFilterOptions { MinLevel = logLevel };
        // Framework chatter ("Now listening on ...") would show up in the agent's log at INFO; keep it to warnings.
        filters.Rules.Add(new LoggerFilterRule(null, "Microsoft", frameworkLevel, null));
        filters.Rules.Add(new LoggerFilterRule(null, "Grpc", frameworkLevel, null));
        using var logProvider = new HclogJsonLoggerProvider(stderr, name, timeProvider);
        using var loggerFactory = new LoggerFactory([logProvider], filters);
        var logger = loggerFactory.CreateLogger("NomadAutoscaler.Plugins.Sdk.PluginHost");

        IInProcessPlugin plugin;
        try
        {
            plugin = InProcessPluginFactory.Create(pluginType, loggerFactory, timeProvider);
        }
        catch (Exception exception)
        {
            logger.Hclog(LogLevel.Error, exception, "could not create the plugin", ("error", exception.Message));
            listener.Cleanup();
            return 1;
        }

        if (invalidLogLevel) logger.Hclog(LogLevel.Warning, "ignoring invalid log level: use trace, debug, info, warn, error or off", ("variable", PluginProtocol.LogLevelVariable), ("value", logLevelText));
        foreach (var invalid in invalidVersions) logger.Hclog(LogLevel.Warning, "host sent invalid plugin version", ("version", invalid));

        using var lifetime = new PluginHostLifetime();
        var methods = BindServices(plugin, lifetime, loggerFactory, timeProvider);

        using var server = GrpcKestrelServer.Create(
            loggerFactory,
            (options, configure) =>
            {
                if (listener.SocketPath is not null) options.ListenUnixSocket(listener.SocketPath, configure);
                else options.Listen(IPAddress.Loopback, listener.TcpPort, configure);
            },
            serverCertificate is not null && hostCertificate is not null
                ? options => options.UseMutualTls(serverCertificate, hostCertificate, logger)
                : null,
            tlsByMiddleware: serverCertificate is not null);

        string address;
        try
        {
            await server.StartAsync(new GrpcHttpApplication(methods, loggerFactory.CreateLogger("NomadAutoscaler.Plugins.Sdk.Grpc"), lifetime.ApplicationStopping), CancellationToken.None);
            address = listener.SocketPath ?? BoundTcpAddress(server);
            var warning = listener.SecureSocket(Environment.GetEnvironmentVariable(PluginProtocol.UnixSocketGroupVariable));
            if (warning is not null) logger.Hclog(LogLevel.Warning, warning);
        }
        catch (Exception exception)
        {
            logger.Hclog(LogLevel.Error, exception, "could not start listening", ("error", exception.Message));
            listener.Cleanup();
            await plugin.DisposeAsync();
            return 1;
        }

        var line = HandshakeLine.Build(
            appVersion, listener.Network, address, serverCertificate?.RawData,
            multiplexRequested: Environment.GetEnvironmentVariable(PluginProtocol.MultiplexVariable) is { Length: > 0 });
        await stdout.WriteAsync(Encoding.ASCII.GetBytes(line));
        await stdout.FlushAsync();

        logger.Hclog(LogLevel.Information, "plugin serving",
            ("network", listener.Network), ("address", address), ("kind", plugin.Kind.ToWireName()), ("tls", serverCertificate is not null));

        try
        {
            await lifetime.WaitForStopAsync();
            // Graceful: in-flight replies (Shutdown's own among them) finish; connections still open then are cut.
            using var stopTimeout = new CancellationTokenSource(ShutdownTimeout);
            await server.StopAsync(stopTimeout.Token);
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

    private static GrpcMethodTable BindServices(IInProcessPlugin plugin, PluginHostLifetime lifetime, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        var methods = new GrpcMethodTable();
        PluginServiceBindings.Bind(methods, new BasePluginGrpcService(plugin, loggerFactory.CreateLogger<BasePluginGrpcService>()));
        switch (plugin.Kind)
        {
            case PluginKind.Apm: PluginServiceBindings.Bind(methods, new ApmGrpcService(plugin, timeProvider)); break;
            case PluginKind.Strategy: PluginServiceBindings.Bind(methods, new StrategyGrpcService(plugin)); break;
            case PluginKind.Target: PluginServiceBindings.Bind(methods, new TargetGrpcService(plugin)); break;
        }

        var health = new HealthServiceImpl();
        health.SetStatus(PluginProtocol.HealthServiceName, HealthCheckResponse.Types.ServingStatus.Serving);
        PluginServiceBindings.Bind(methods, health);
        PluginServiceBindings.Bind(methods, new ControllerGrpcService(lifetime, loggerFactory.CreateLogger<ControllerGrpcService>()));
        PluginServiceBindings.Bind(methods, new StdioGrpcService(lifetime));
        PluginServiceBindings.Bind(methods, new BrokerGrpcService(lifetime));
        return methods;
    }

    private static string BoundTcpAddress(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()!.Addresses;
        var uri = new Uri(addresses.First());
        return "127.0.0.1:" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task WriteFatalAsync(TextWriter stderr, string module, TimeProvider timeProvider, string message)
    {
        await stderr.WriteAsync(HclogJsonFormatter.Format(LogLevel.Error, module, message, timeProvider.GetUtcNow(), null, null) + "\n");
        await stderr.FlushAsync();
    }
}
