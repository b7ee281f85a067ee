using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Net.Client;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Contracts.Base.V1;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>The built <c>prometheus</c> executable started as the agent starts it (magic cookie, go-plugin handshake on
/// stdout, gRPC over the announced unix socket), with typed clients for its services.</summary>
internal sealed class PluginProcess : IAsyncDisposable
{
    private const string MagicCookieKey = "NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE";
    private const string MagicCookieValue = "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private GrpcChannel? _channel;

    private PluginProcess(Process process) => _process = process;

    public static string ExecutablePath { get; } = FindExecutable();

    public BasePluginService.BasePluginServiceClient Base { get; private set; } = null!;

    public APMPluginService.APMPluginServiceClient Apm { get; private set; } = null!;

    public string Stderr => string.Join("\n", _stderr);

    public static async Task<PluginProcess> StartAsync(string logLevel = "info")
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        startInfo.Environment[MagicCookieKey] = MagicCookieValue;
        startInfo.Environment["PLUGIN_PROTOCOL_VERSIONS"] = "1";
        startInfo.Environment["NOMAD_AUTOSCALER_PLUGIN_LOG_LEVEL"] = logLevel;
        var process = new Process { StartInfo = startInfo };
        var plugin = new PluginProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) plugin._stderr.Enqueue(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException($"plugin exited without a handshake: {plugin.Stderr}");
            // 1|1|unix|/tmp/.../plugin.sock|grpc|
            var fields = line.Split('|');
            if (fields.Length < 5 || fields[2] != "unix") throw new InvalidOperationException($"unexpected handshake \"{line}\"");
            plugin.Connect(fields[3]);
            return plugin;
        }
        catch
        {
            await plugin.DisposeAsync();
            throw;
        }
    }

    private void Connect(string socketPath)
    {
        var endPoint = new UnixDomainSocketEndPoint(socketPath);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
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
        _channel = GrpcChannel.ForAddress("http://unused", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        Base = new BasePluginService.BasePluginServiceClient(_channel);
        Apm = new APMPluginService.APMPluginServiceClient(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    /// <summary>The debug build, or the file named by PROMETHEUS_PLUGIN_EXECUTABLE (to run the same tests against a Native
    /// AOT publish).</summary>
    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("PROMETHEUS_PLUGIN_EXECUTABLE") is { Length: > 0 } overridden)
            return File.Exists(overridden) ? overridden : throw new InvalidOperationException($"PROMETHEUS_PLUGIN_EXECUTABLE {overridden} does not exist");
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Plugins.sln"))) continue;
            var path = Path.Combine(directory.FullName, "artifacts", "bin", "prometheus", "debug", "prometheus");
            return File.Exists(path) ? path : throw new InvalidOperationException($"plugin executable {path} is missing; build plugins/prometheus first");
        }

        throw new InvalidOperationException($"no Plugins.sln above {AppContext.BaseDirectory}");
    }
}
