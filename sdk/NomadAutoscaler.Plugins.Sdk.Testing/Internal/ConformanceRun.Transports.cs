using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

namespace NomadAutoscaler.Plugins.Sdk.Testing.Internal;

/// <summary>The checks of the other transports: a second plugin instance, TCP, and AutoMTLS.</summary>
internal sealed partial class ConformanceRun
{
    private async Task MultiplexSessionAsync(CancellationToken cancellationToken)
    {
        var socketDirectory = Directory.CreateTempSubdirectory("nac-").FullName;
        try
        {
            var environment = BaseEnvironment(socketDirectory);
            environment[PluginProtocol.MultiplexVariable] = "true";
            await using var plugin = PluginProcess.Start(executablePath, environment, options.Arguments);
            var info = await StartAsync(plugin, "handshake.multiplex-field", cancellationToken);
            if (info is null) return;
            var problems = FormatProblems(info, wantFields: 7);
            if (info.Multiplex is not null and not ("true" or "false")) problems.Add($"field 7 is \"{info.Multiplex}\", want the Go bool text true or false");
            Add("handshake.multiplex-field", problems.Count == 0, problems.Count == 0
                ? $"7 fields with PLUGIN_MULTIPLEX_GRPC set (multiplexing {(info.Multiplex == "true" ? "offered" : "not offered")})"
                : string.Join("; ", problems));
            await StopQuietlyAsync(plugin, info, cancellationToken);
        }
        finally
        {
            TryDeleteDirectory(socketDirectory);
        }
    }

    private async Task TcpSessionAsync(CancellationToken cancellationToken)
    {
        var (minPort, maxPort) = FreePortRange();
        var environment = BaseEnvironment(null);
        environment[PluginProtocol.TransportVariable] = "tcp";
        environment[PluginProtocol.MinPortVariable] = minPort.ToString(CultureInfo.InvariantCulture);
        environment[PluginProtocol.MaxPortVariable] = maxPort.ToString(CultureInfo.InvariantCulture);
        await using var plugin = PluginProcess.Start(executablePath, environment, options.Arguments);
        var info = await StartAsync(plugin, "transport.tcp", cancellationToken);
        if (info is null) return;
        if (info.Network != "tcp")
        {
            Add("transport.tcp", true, $"the plugin does not offer TCP ({PluginProtocol.TransportVariable}=tcp is an optional opt-in); it listened on {info.Network}");
        }
        else if (!IPEndPoint.TryParse(info.Address, out var endPoint) || !IPAddress.IsLoopback(endPoint.Address)
                 || endPoint.Port < minPort || endPoint.Port > maxPort)
        {
            Add("transport.tcp", false, $"tcp address \"{info.Address}\" is not a loopback address in PLUGIN_MIN_PORT..PLUGIN_MAX_PORT = {minPort}..{maxPort}");
        }
        else
        {
            using var channel = PluginChannel.Create(info.Network, info.Address, null, null);
            if (await PluginInfoAsync("transport.tcp", channel, cancellationToken))
                _checks[^1] = new ConformanceCheck("transport.tcp", true, $"served on {info.Address} within {minPort}..{maxPort}");
        }

        await StopQuietlyAsync(plugin, info, cancellationToken);
    }

    private static (int Min, int Max) FreePortRange()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return (port, Math.Min(port + 20, IPEndPoint.MaxPort));
    }

    private async Task AutoMtlsSessionAsync(CancellationToken cancellationToken)
    {
        using var hostCertificate = AutoMtls.GenerateCertificate(TimeProvider.System);
        var environment = BaseEnvironment(null);
        environment[PluginProtocol.ClientCertVariable] = hostCertificate.ExportCertificatePem();
        await using var plugin = PluginProcess.Start(executablePath, environment, options.Arguments);
        var info = await StartAsync(plugin, "automtls.handshake", cancellationToken);
        if (info is null) return;
        if (info.Certificate.Length <= 50)
        {
            Add("automtls.handshake", false, "field 6 is empty or too short although PLUGIN_CLIENT_CERT was set (hosts read it only when longer than 50 characters)");
            await StopQuietlyAsync(plugin, info, cancellationToken);
            return;
        }

        X509Certificate2 serverCertificate;
        try
        {
            if (info.Certificate.Contains('=', StringComparison.Ordinal)) throw new FormatException("field 6 keeps base64 padding; go-plugin uses RawStdEncoding (no '=')");
            serverCertificate = X509CertificateLoader.LoadCertificate(HandshakeLine.DecodeCertificate(info.Certificate));
        }
        catch (Exception exception) when (exception is FormatException or System.Security.Cryptography.CryptographicException)
        {
            Add("automtls.handshake", false, $"field 6 is not a base64 (RawStd) DER certificate: {exception.Message}");
            await StopQuietlyAsync(plugin, info, cancellationToken);
            return;
        }

        using (serverCertificate)
        {
            if (!serverCertificate.MatchesHostname("localhost"))
            {
                Add("automtls.handshake", false, "the server certificate is not valid for localhost (go-plugin hosts verify ServerName localhost)");
            }
            else
            {
                using var channel = PluginChannel.Create(info.Network, info.Address, hostCertificate, serverCertificate);
                if (await PluginInfoAsync("automtls.handshake", channel, cancellationToken))
                    _checks[^1] = new ConformanceCheck("automtls.handshake", true, "TLS with the announced certificate and the host's client certificate works");
            }

            using (var anonymous = PluginChannel.Create(info.Network, info.Address, null, serverCertificate))
            {
                try
                {
                    await new BasePluginService.BasePluginServiceClient(anonymous).PluginInfoAsync(new PluginInfoRequest(), Call(cancellationToken));
                    Add("automtls.client-cert-required", false, "a connection without the host's client certificate was served");
                }
                catch (RpcException)
                {
                    Add("automtls.client-cert-required", true, "a connection without the host's client certificate was refused");
                }
            }

            await StopQuietlyAsync(plugin, info, cancellationToken, hostCertificate, serverCertificate);
        }
    }
}
