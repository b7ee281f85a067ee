using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal;
using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>Launches one external plugin: checks the binary, starts it, reads and checks the handshake, connects,
/// drains stdio, and verifies PluginInfo. Every failure is a <see cref="PluginLaunchException"/> naming the plugin and path.</summary>
internal sealed class ExternalPluginLauncher
{
    private readonly PluginHostOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _socketDir;
    private readonly X509Certificate2? _clientCertificate;

    public ExternalPluginLauncher(PluginHostOptions options, ILoggerFactory loggerFactory, string socketDir)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _socketDir = socketDir;
        if (options.AutoMtls) _clientCertificate = CreateClientCertificate();
    }

    // go-plugin's AutoMTLS certificate as the SDK makes it, round-tripped through PKCS#12 so that SslStream can use its
    // private key for a client certificate on every platform.
    private static X509Certificate2 CreateClientCertificate()
    {
        using var certificate = AutoMtls.GenerateCertificate(TimeProvider.System);
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The executable for a driver: <c>&lt;plugin_dir&gt;/&lt;driver minus a trailing .exe&gt;</c>.</summary>
    public static string ResolvePath(string pluginDir, string driver)
    {
        var name = driver.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) && !OperatingSystem.IsWindows() ? driver[..^4] : driver;
        return Path.GetFullPath(Path.Combine(pluginDir, name));
    }

    public async Task<ExternalPluginConnection> LaunchAsync(PluginBlock block, CancellationToken cancellationToken)
    {
        var path = ResolvePath(_options.PluginDir, block.Driver);
        CheckExecutable(block, path);

        var logger = _loggerFactory.CreateLogger("external_plugin." + block.Driver);
        var relogger = new PluginStderrRelogger(logger);
        var startInfo = ChildProcessLauncher.CreateStartInfo(path, block.Args);
        startInfo.Environment[PluginEnvironment.MagicCookieKey] = PluginEnvironment.MagicCookieValue;
        startInfo.Environment[PluginProtocol.ProtocolVersionsVariable] = string.Join(",", PluginEnvironment.OfferedAppVersions);
        startInfo.Environment[PluginProtocol.MinPortVariable] = PluginEnvironment.MinPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment[PluginProtocol.MaxPortVariable] = PluginEnvironment.MaxPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment[PluginProtocol.UnixSocketDirVariable] = _socketDir;
        startInfo.Environment[PluginEnvironment.PluginLogLevelKey] = _options.PluginLogLevel == LogLevel.None ? "off" : HclogLevel.JsonName(_options.PluginLogLevel);
        if (_clientCertificate is not null) startInfo.Environment[PluginProtocol.ClientCertVariable] = _clientCertificate.ExportCertificatePem();
        else startInfo.Environment.Remove(PluginProtocol.ClientCertVariable);

        Process process;
        try
        {
            process = await ChildProcessLauncher.StartAsync(startInfo).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(block, path, $"fork/exec {path}: {ex.Message}", ex);
        }

        var lifetime = new CancellationTokenSource();
        var exited = WatchExitAsync(process, lifetime);
        var stderrPump = Task.Run(() => relogger.PumpAsync(process.StandardError.BaseStream, CancellationToken.None), CancellationToken.None);
        ExternalPluginConnection? connection = null;
        try
        {
            var line = await ReadHandshakeAsync(block, path, process, exited, stderrPump, relogger, cancellationToken).ConfigureAwait(false);
            _ = Task.Run(() => DrainAsync(process.StandardOutput.BaseStream), CancellationToken.None);

            HandshakeLine handshake;
            try
            {
                handshake = HandshakeLine.Parse(line, PluginEnvironment.OfferedAppVersions);
            }
            catch (HandshakeFormatException ex)
            {
                throw Fail(block, path, $"plugin sent an invalid handshake line: {ex.Message}", ex);
            }

            if (handshake.ServerCertificate is not null && _clientCertificate is null)
                throw Fail(block, path, "plugin announced a TLS certificate, but the agent did not offer AutoMTLS");

            var channel = CreateChannel(handshake);
            connection = new ExternalPluginConnection(process, channel, lifetime, exited, relogger, _options.ShutdownGrace, _options.TimeProvider);
            StartStdioDrain(channel, logger, connection.Lifetime);
            await CheckPluginInfoAsync(block, path, connection, cancellationToken).ConfigureAwait(false);
            logger.Hclog(LogLevel.Debug, "plugin started", ("path", path), ("pid", process.Id), ("network", handshake.Network),
                ("address", handshake.Address), ("tls", handshake.ServerCertificate is not null));
            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                connection.Kill();
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                try
                {
                    if (!process.HasExited) process.Kill();
                }
                catch (InvalidOperationException)
                {
                }

                await exited.ConfigureAwait(false);
                lifetime.Dispose();
                process.Dispose();
            }

            throw;
        }
    }

    private static void CheckExecutable(PluginBlock block, string path)
    {
        if (Directory.Exists(path))
            throw Fail(block, path, $"fork/exec {path}: is a directory, not a plugin executable");
        if (!File.Exists(path))
            throw Fail(block, path, $"fork/exec {path}: no such file or directory");
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((File.GetUnixFileMode(path) & anyExecute) == 0)
                throw Fail(block, path, $"fork/exec {path}: permission denied (the file is not executable; run chmod +x on it)");
        }
    }

    private static async Task WatchExitAsync(Process process, CancellationTokenSource lifetime)
    {
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            await lifetime.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task<string> ReadHandshakeAsync(PluginBlock block, string path, Process process, Task exited, Task stderrPump,
        PluginStderrRelogger relogger, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.StartTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var read = ReadFirstLineAsync(process.StandardOutput.BaseStream, linked.Token);
        try
        {
            var line = await read.ConfigureAwait(false);
            if (line is not null) return line;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw Fail(block, path, $"timeout while waiting for plugin to start: no handshake line within {GoDuration.Format(_options.StartTimeout)}"
                + LastStderrSuffix(relogger));
        }
        catch (IOException)
        {
        }

        // stdout closed without a line: the plugin exited (or closed stdout, which no plugin does on purpose).
        using var exitWait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await exited.WaitAsync(exitWait.Token).ConfigureAwait(false);
            await stderrPump.WaitAsync(exitWait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw Fail(block, path, "plugin closed its stdout without sending a handshake line" + LastStderrSuffix(relogger));
        }

        throw Fail(block, path, $"plugin exited before we could connect: exit code {process.ExitCode}" + LastStderrSuffix(relogger));
    }

    private static string LastStderrSuffix(PluginStderrRelogger relogger)
    {
        var lines = relogger.LastLines;
        var last = lines.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
        return last is null ? "; stderr was empty" : $"; last stderr line: {last}";
    }

    /// <summary>Reads up to the first newline; the handshake line must fit go-plugin's 64 KiB scanner limit.</summary>
    private static async Task<string?> ReadFirstLineAsync(Stream stdout, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stdout.ReadAsync(buffer.AsMemory(filled, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0) return filled == 0 ? null : Encoding.UTF8.GetString(buffer, 0, filled);
            if (buffer[filled] == (byte)'\n') return Encoding.UTF8.GetString(buffer, 0, filled);
            filled++;
        }

        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    private static async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }

    private GrpcChannel CreateChannel(HandshakeLine handshake)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = handshake.Network == "unix"
                ? (_, ct) => ConnectUnixAsync(handshake.Address, ct)
                : (_, ct) => ConnectTcpAsync(handshake.Address, ct),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        var address = "http://unused";
        if (handshake.ServerCertificate is { } der)
        {
            var serverCertificate = X509CertificateLoader.LoadCertificate(der);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [_clientCertificate!],
                // Trust exactly the certificate from the handshake, never the system store.
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(serverCertificate.RawData),
            };
            address = "https://localhost";
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async ValueTask<Stream> ConnectTcpAsync(string address, CancellationToken cancellationToken)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out var port))
            throw new IOException($"invalid tcp address \"{address}\" in plugin handshake");
        var host = address[..colon].Trim('[', ']');
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            EndPoint endPoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Latest-go-plugin Go plugins block once their stdio pipes fill unless the host reads StreamStdio.</summary>
    private static void StartStdioDrain(GrpcChannel channel, ILogger logger, CancellationToken lifetime)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var client = new GRPCStdio.GRPCStdioClient(channel);
                using var call = client.StreamStdio(new Google.Protobuf.WellKnownTypes.Empty(), cancellationToken: lifetime);
                while (await call.ResponseStream.MoveNext(lifetime).ConfigureAwait(false))
                {
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unimplemented or StatusCode.Unavailable)
            {
                logger.Hclog(LogLevel.Trace, "stdio service not available", ("status", ex.StatusCode.ToString()));
            }
            catch (Exception)
            {
                // The stream ends with the plugin; nothing to report.
            }
        }, CancellationToken.None);
    }

    private async Task CheckPluginInfoAsync(PluginBlock block, string path, ExternalPluginConnection connection, CancellationToken cancellationToken)
    {
        var client = new BasePluginService.BasePluginServiceClient(connection.CallInvoker);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Lifetime);
        timeout.CancelAfter(_options.StartTimeout);
        PluginInfoResponse info;
        try
        {
            info = await client.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (the agent is stopping): that is a cancellation, not a broken plugin.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException ex)
        {
            throw Fail(block, path, $"PluginInfo call failed: {ex.Status.StatusCode}: {ex.Status.Detail}" + LastStderrSuffix(connection.Stderr), ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(block, path, "PluginInfo call failed: the plugin exited or did not answer" + LastStderrSuffix(connection.Stderr));
        }

        var expected = block.Kind.ToPluginType();
        if (info.Type != expected)
            throw Fail(block, path, $"plugin {block.Name} remote info doesn't match local config: the plugin is of type {Describe(info.Type)}, but the block is {Describe(expected)}");
        if (info.Name != block.Driver)
            throw Fail(block, path, $"plugin {block.Name} remote info doesn't match local config: the plugin reports name \"{info.Name}\", expected the driver name \"{block.Driver}\" (was the binary renamed?)");
    }

    private static string Describe(PluginType type) => type switch
    {
        PluginType.Apm => "apm",
        PluginType.Strategy => "strategy",
        PluginType.Target => "target",
        _ => $"unknown ({(int)type})",
    };

    private static PluginLaunchException Fail(PluginBlock block, string path, string problem, Exception? inner = null)
        => new(block.Name, block.Kind, path, $"failed to launch {KindName(block.Kind)} plugin \"{block.Name}\" ({path}): {problem}", inner);

    public static string KindName(PluginKind kind) => kind.ToWireName();
}
