using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>Where the plugin listens: a unix socket (default) or 127.0.0.1 TCP (opt-in).</summary>
internal sealed class PluginListener
{
    // sun_path is 108 bytes on Linux, including the terminating NUL.
    private const int MaxUnixPathBytes = 107;

    private PluginListener(string network, string? socketPath, string? privateDirectory, int tcpPort)
    {
        Network = network;
        SocketPath = socketPath;
        PrivateDirectory = privateDirectory;
        TcpPort = tcpPort;
    }

    public string Network { get; }

    public string? SocketPath { get; }

    /// <summary>The temp directory we created for the socket (removed on exit), or null.</summary>
    public string? PrivateDirectory { get; }

    /// <summary>Requested TCP port (0 = any).</summary>
    public int TcpPort { get; }

    public static PluginListener Choose(Func<string, string?> environment)
    {
        var transport = environment(PluginProtocol.TransportVariable);
        if (string.Equals(transport, "tcp", StringComparison.OrdinalIgnoreCase) || !Socket.OSSupportsUnixDomainSockets)
            return new PluginListener("tcp", null, null, ChooseTcpPort(environment(PluginProtocol.MinPortVariable), environment(PluginProtocol.MaxPortVariable)));
        if (!string.IsNullOrEmpty(transport) && !string.Equals(transport, "unix", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{PluginProtocol.TransportVariable}=\"{transport}\" is not supported (use unix or tcp)");

        var socketDirectory = environment(PluginProtocol.UnixSocketDirVariable);
        string? privateDirectory = null;
        if (string.IsNullOrEmpty(socketDirectory))
        {
            // CreateTempSubdirectory makes the directory 0700, so nobody else can reach the socket even before chmod.
            privateDirectory = Directory.CreateTempSubdirectory("nomad-autoscaler-plugin-").FullName;
            socketDirectory = privateDirectory;
        }

        var path = Path.Combine(Path.GetFullPath(socketDirectory), "plugin" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture));
        if (Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
            throw new InvalidOperationException($"unix socket path is longer than {MaxUnixPathBytes} bytes: {path} (set {PluginProtocol.UnixSocketDirVariable} to a shorter directory)");
        return new PluginListener("unix", path, privateDirectory, 0);
    }

    /// <summary>The first free port in PLUGIN_MIN_PORT..PLUGIN_MAX_PORT, or 0 (the OS picks) when the range is not set.</summary>
    internal static int ChooseTcpPort(string? minText, string? maxText)
    {
        if (!int.TryParse(minText, NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            || min <= 0 || max < min || max > IPEndPoint.MaxPort)
            return 0;
        for (var port = min; port <= max; port++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException($"no free port on 127.0.0.1 in {PluginProtocol.MinPortVariable}..{PluginProtocol.MaxPortVariable} = {min}..{max}");
    }

    /// <summary>Restricts the bound socket: 0600, or 0660 plus a group change when PLUGIN_UNIX_SOCKET_GROUP is set.</summary>
    /// <returns>A warning to log, or null.</returns>
    public string? SecureSocket(string? group)
    {
        if (SocketPath is null || OperatingSystem.IsWindows()) return null;
        if (string.IsNullOrEmpty(group))
        {
            File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return null;
        }

        File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        // .NET has no chown API; chgrp accepts both group names and numeric ids, as go-plugin does.
        try
        {
            using var chgrp = Process.Start(new ProcessStartInfo("chgrp", [group, SocketPath])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (chgrp is null) return $"could not run chgrp to give the socket to group {group}";
            var error = chgrp.StandardError.ReadToEnd();
            chgrp.WaitForExit();
            return chgrp.ExitCode == 0 ? null : $"could not give the socket to group {group}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"could not give the socket to group {group}: {exception.Message}";
        }
    }

    public void Cleanup()
    {
        try
        {
            if (SocketPath is not null && File.Exists(SocketPath)) File.Delete(SocketPath);
            if (PrivateDirectory is not null && Directory.Exists(PrivateDirectory)) Directory.Delete(PrivateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
