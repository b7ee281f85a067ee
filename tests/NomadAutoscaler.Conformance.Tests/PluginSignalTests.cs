using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace NomadAutoscaler.Conformance.Tests;

/// <summary>Signals to an SDK plugin process: Ctrl-C in a terminal reaches the whole process group, so SIGINT must not
/// stop a plugin (the agent decides when it stops); SIGTERM stops it cleanly, exit 0, socket removed.</summary>
public sealed class PluginSignalTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _socketDir = Directory.CreateTempSubdirectory("nac-signal-").FullName;

    [Fact]
    public async Task Sigint_is_ignored_and_sigterm_stops_the_plugin_cleanly()
    {
        var startInfo = new ProcessStartInfo(PluginExecutables.Path("noop-apm"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE"] = "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3";
        startInfo.Environment["PLUGIN_PROTOCOL_VERSIONS"] = "1";
        startInfo.Environment["PLUGIN_UNIX_SOCKET_DIR"] = _socketDir;
        using var plugin = Process.Start(startInfo)!;
        try
        {
            _ = plugin.StandardError.ReadToEndAsync();
            using var handshakeTimeout = new CancellationTokenSource(Timeout);
            var line = await plugin.StandardOutput.ReadLineAsync(handshakeTimeout.Token);
            Assert.NotNull(line);
            var socketPath = line.Split('|')[3];
            Assert.True(File.Exists(socketPath), $"no socket at {socketPath}");

            await SignalAsync(plugin, "INT");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthAsync(socketPath));
            Assert.False(plugin.HasExited, "the plugin exited on SIGINT");

            await SignalAsync(plugin, "TERM");
            using var exitTimeout = new CancellationTokenSource(Timeout);
            await plugin.WaitForExitAsync(exitTimeout.Token);
            Assert.Equal(0, plugin.ExitCode);
            Assert.False(File.Exists(socketPath), "the socket file was left behind");
        }
        finally
        {
            if (!plugin.HasExited) plugin.Kill();
        }
    }

    public void Dispose() => Directory.Delete(_socketDir, recursive: true);

    private static async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var channel = GrpcChannel.ForAddress("http://plugin", new GrpcChannelOptions { HttpHandler = handler });
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "plugin" }, deadline: DateTime.UtcNow + Timeout);
        return reply.Status;
    }

    private static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
