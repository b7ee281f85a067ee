using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

/// <summary>Kestrel on its own, HTTP/2 only, without the generic host, DI and endpoint routing: those cost a Native
/// AOT plugin ~25 ms of start-up (runtime generic type building) for nothing a plugin needs (docs/performance.md,
/// "Plugin RPC").</summary>
internal static class GrpcKestrelServer
{
    /// <param name="loggerFactory">Kestrel's own logging.</param>
    /// <param name="listen">Adds the listener(s); each gets HTTP/2 before <paramref name="configureListener"/> runs.</param>
    /// <param name="configureListener">Per-listener setup such as <see cref="Hosting.MutualTlsConnections"/>.</param>
    /// <param name="tlsByMiddleware">True when TLS is a connection middleware: Kestrel then takes every connection
    /// for plain http and would otherwise reset the host's ":scheme https" requests.</param>
    public static KestrelServer Create(
        ILoggerFactory loggerFactory,
        Action<KestrelServerOptions, Action<ListenOptions>> listen,
        Action<ListenOptions>? configureListener = null,
        bool tlsByMiddleware = false)
    {
        var options = new KestrelServerOptions
        {
            AddServerHeader = false,
            ApplicationServices = new LoggerFactoryServices(loggerFactory),
            AllowAlternateSchemes = tlsByMiddleware,
        };
        listen(options, listener =>
        {
            // go-plugin hosts speak h2c with prior knowledge (or h2 over TLS): HTTP/1.1 must not be offered.
            listener.Protocols = HttpProtocols.Http2;
            configureListener?.Invoke(listener);
        });
        return new KestrelServer(
            Options.Create(options),
            new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory),
            loggerFactory);
    }

    /// <summary>All Kestrel asks of its application services when HTTPS is not configured through it.</summary>
    private sealed class LoggerFactoryServices(ILoggerFactory loggerFactory) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(ILoggerFactory) ? loggerFactory : null;
    }
}
