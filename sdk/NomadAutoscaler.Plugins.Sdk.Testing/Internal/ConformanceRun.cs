using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;
using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

namespace NomadAutoscaler.Plugins.Sdk.Testing.Internal;

/// <summary>One conformance run: a list of checks filled by several plugin launches.</summary>
internal sealed partial class ConformanceRun(
    string executablePath, PluginKind kind, IReadOnlyDictionary<string, string> sampleConfig, ConformanceOptions options)
{
    internal const string UnknownKey = "conformance_unknown_key";

    // How long an optional go-plugin stream may stay silent before the kit accepts it as "open".
    private static readonly TimeSpan StreamProbeTime = TimeSpan.FromSeconds(1);

    private readonly List<ConformanceCheck> _checks = [];
    private readonly string _expectedName = ExpectedName(executablePath);

    public async Task<ConformanceReport> RunAsync(CancellationToken cancellationToken)
    {
        await CookieAsync("cookie.missing", null, cancellationToken);
        await CookieAsync("cookie.wrong", "not-the-magic-cookie", cancellationToken);
        await MainSessionAsync(cancellationToken);
        await MultiplexSessionAsync(cancellationToken);
        await TcpSessionAsync(cancellationToken);
        await AutoMtlsSessionAsync(cancellationToken);
        return new ConformanceReport(executablePath, [.. _checks]);
    }

    private void Add(string name, bool passed, string message) => _checks.Add(new ConformanceCheck(name, passed, message));

    private static string ExpectedName(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
    }

    private Dictionary<string, string?> BaseEnvironment(string? socketDirectory) => new()
    {
        [PluginProtocol.MagicCookieKey] = PluginProtocol.MagicCookieValue,
        [PluginProtocol.ProtocolVersionsVariable] = "1",
        [PluginProtocol.UnixSocketDirVariable] = socketDirectory,
    };

    private async Task CookieAsync(string name, string? cookie, CancellationToken cancellationToken)
    {
        var environment = BaseEnvironment(null);
        environment[PluginProtocol.MagicCookieKey] = cookie;
        await using var plugin = PluginProcess.Start(executablePath, environment, options.Arguments);
        if (!await plugin.WaitForExitAsync(options.HandshakeTimeout, cancellationToken))
        {
            Add(name, false, $"the plugin did not exit within {options.HandshakeTimeout.TotalSeconds:0} s without a valid magic cookie");
            return;
        }

        var stdout = await ReadAllStdoutAsync(plugin, cancellationToken);
        var stderr = string.Join("\n", plugin.StderrLines).Trim();
        var problems = new List<string>();
        if (plugin.ExitCode != 1) problems.Add($"exit code {plugin.ExitCode}, want 1");
        if (stderr.Length == 0) problems.Add("nothing on stderr, want a human-readable explanation");
        if (stdout.Length != 0) problems.Add($"stdout must stay empty but got \"{Truncate(stdout)}\"");
        Add(name, problems.Count == 0, problems.Count == 0 ? $"exit 1 with \"{Truncate(stderr)}\" on stderr" : string.Join("; ", problems));
    }

    private static async Task<string> ReadAllStdoutAsync(PluginProcess plugin, CancellationToken cancellationToken)
    {
        var first = await plugin.ReadFirstLineAsync(TimeSpan.FromSeconds(10), cancellationToken);
        var rest = await plugin.ReadRestOfStdoutAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return first is null ? rest : first + "\n" + rest;
    }

    /// <summary>Starts the plugin and reads and parses the handshake line; null (with a failed check) when that fails.</summary>
    private async Task<HandshakeInfo?> StartAsync(PluginProcess plugin, string checkName, CancellationToken cancellationToken)
    {
        string? line;
        try
        {
            line = await plugin.ReadFirstLineAsync(options.HandshakeTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Add(checkName, false, $"no handshake line on stdout within {options.HandshakeTimeout.TotalSeconds:0} s");
            return null;
        }

        if (line is null)
        {
            await plugin.WaitForExitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            var exit = plugin.HasExited ? $"exit code {plugin.ExitCode}" : "stdout closed";
            Add(checkName, false, $"the plugin closed stdout before printing a handshake line ({exit}); stderr: {Truncate(string.Join(" | ", plugin.StderrLines))}");
            return null;
        }

        var info = HandshakeInfo.TryParse(line, out var error);
        if (info is null) Add(checkName, false, error);
        return info;
    }

    private List<string> FormatProblems(HandshakeInfo info, int wantFields)
    {
        var problems = new List<string>();
        if (info.Fields.Count != wantFields) problems.Add($"{info.Fields.Count} fields, want {wantFields}");
        if (info.CoreVersion != "1") problems.Add($"core protocol \"{info.CoreVersion}\", want \"1\"");
        if (info.AppVersion != "1") problems.Add($"app protocol \"{info.AppVersion}\", want \"1\"");
        if (info.Network is not ("unix" or "tcp")) problems.Add($"network \"{info.Network}\", want unix or tcp");
        if (info.Protocol != "grpc") problems.Add($"protocol \"{info.Protocol}\", want grpc (the autoscaler allows only grpc)");
        if (info.Network == "unix" && !Path.IsPathRooted(info.Address)) problems.Add($"unix address \"{info.Address}\" is not an absolute path");
        if (info.Network == "tcp" && !IPEndPoint.TryParse(info.Address, out _)) problems.Add($"tcp address \"{info.Address}\" is not host:port");
        return problems;
    }

    private async Task MainSessionAsync(CancellationToken cancellationToken)
    {
        var socketDirectory = Directory.CreateTempSubdirectory("nac-").FullName;
        try
        {
            await using var plugin = PluginProcess.Start(executablePath, BaseEnvironment(socketDirectory), options.Arguments);
            var info = await StartAsync(plugin, "handshake.format", cancellationToken);
            if (info is null) return;
            var problems = FormatProblems(info, wantFields: 6);
            if (info.Certificate.Length != 0) problems.Add("field 6 (server certificate) must be empty without PLUGIN_CLIENT_CERT");
            Add("handshake.format", problems.Count == 0, problems.Count == 0 ? $"\"{string.Join('|', info.Fields)}\"" : string.Join("; ", problems));
            if (info.Network is not ("unix" or "tcp")) return;

            if (info.Network == "unix") UnixSocketChecks(info.Address, socketDirectory);
            using var channel = PluginChannel.Create(info.Network, info.Address, null, null);
            await HealthAsync(channel, cancellationToken);
            await PluginInfoAsync("plugin-info", channel, cancellationToken);
            var configured = await SetConfigAsync(channel, cancellationToken);
            await UnknownKeyAsync(channel, cancellationToken);
            if (configured) await TypedRpcAsync(channel, cancellationToken);
            else Add($"rpc.{KindName}", false, "not run: SetConfig with the sample configuration failed");
            await StdioAsync(channel, cancellationToken);
            await BrokerAsync(channel, cancellationToken);
            await ShutdownAsync(plugin, channel, info, cancellationToken);
            await StdoutAndStderrAsync(plugin, cancellationToken);
        }
        finally
        {
            TryDeleteDirectory(socketDirectory);
        }
    }

    private string KindName => kind.ToString().ToLowerInvariant();

    private void UnixSocketChecks(string address, string socketDirectory)
    {
        var inDirectory = string.Equals(Path.GetDirectoryName(address), socketDirectory, StringComparison.Ordinal);
        var exists = File.Exists(address);
        Add("transport.unix-socket-dir", inDirectory && exists,
            inDirectory && exists ? $"socket {address} is in PLUGIN_UNIX_SOCKET_DIR"
            : !exists ? $"socket {address} does not exist"
            : $"socket {address} is not in PLUGIN_UNIX_SOCKET_DIR={socketDirectory}");
        if (OperatingSystem.IsWindows() || !exists) return;
        var mode = File.GetUnixFileMode(address);
        const UnixFileMode want = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Add("transport.unix-socket-mode", mode == want,
            mode == want ? "socket mode is 0600" : $"socket mode is {Octal(mode)}, want 0600 (only the plugin's user may connect)");
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

    private CallOptions Call(CancellationToken cancellationToken)
        => new(deadline: DateTime.UtcNow + options.CallTimeout, cancellationToken: cancellationToken);

    /// <summary>Asks the plugin to stop, as a host does, without recording a check; dispose kills it if it lingers.</summary>
    private async Task StopQuietlyAsync(
        PluginProcess plugin, HandshakeInfo info, CancellationToken cancellationToken,
        X509Certificate2? clientCertificate = null, X509Certificate2? serverCertificate = null)
    {
        if (plugin.HasExited || info.Network is not ("unix" or "tcp")) return;
        try
        {
            using var channel = PluginChannel.Create(info.Network, info.Address, clientCertificate, serverCertificate);
            await new GRPCController.GRPCControllerClient(channel).ShutdownAsync(new NomadAutoscaler.Plugins.Contracts.GoPlugin.Empty(), Call(cancellationToken));
        }
        catch (Exception exception) when (exception is RpcException or FormatException or InvalidOperationException)
        {
        }

        await plugin.WaitForExitAsync(options.ShutdownTimeout, cancellationToken);
    }

    private static string Describe(RpcException exception) => $"{exception.StatusCode}: {exception.Status.Detail}";

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
