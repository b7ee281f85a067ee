using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace NomadAutoscaler.Plugins.Sdk.Testing.Internal;

/// <summary>Connects a gRPC channel to a plugin's announced address, as a go-plugin host does: h2c with prior
/// knowledge, or TLS trusting exactly the announced certificate with ServerName <c>localhost</c>.</summary>
internal static class PluginChannel
{
    public static GrpcChannel Create(string network, string address, X509Certificate2? clientCertificate, X509Certificate2? serverCertificate)
    {
        EndPoint endPoint = network switch
        {
            "unix" => new UnixDomainSocketEndPoint(address),
            "tcp" => IPEndPoint.Parse(address),
            _ => throw new InvalidOperationException($"unknown network \"{network}\""),
        };
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = endPoint is UnixDomainSocketEndPoint
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (serverCertificate is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(serverCertificate.RawData),
            };
        }

        // go-plugin dials with the dummy target "unused"; with TLS the name that matters is localhost.
        var uri = serverCertificate is null ? "http://unused" : "https://localhost";
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
        });
    }
}
