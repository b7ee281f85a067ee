using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;
using NomadAutoscaler.Plugins.Contracts.Strategy.V1;
using NomadAutoscaler.Plugins.Contracts.Target.V1;
using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;
using Shared = NomadAutoscaler.Plugins.Contracts.Shared.V1;

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

    private async Task HealthAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var response = await new Health.HealthClient(channel).CheckAsync(
                new HealthCheckRequest { Service = PluginProtocol.HealthServiceName }, Call(cancellationToken));
            var serving = response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
            Add("health.serving", serving, serving ? "health \"plugin\" is SERVING" : $"health \"plugin\" is {response.Status}, want SERVING");
        }
        catch (RpcException exception)
        {
            Add("health.serving", false, $"grpc.health.v1.Health/Check(\"plugin\") failed: {Describe(exception)}");
        }
    }

    private async Task<bool> PluginInfoAsync(string checkName, GrpcChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var info = await new BasePluginService.BasePluginServiceClient(channel).PluginInfoAsync(new PluginInfoRequest(), Call(cancellationToken));
            var wantType = (PluginType)(int)kind;
            var problems = new List<string>();
            if (info.Name != _expectedName) problems.Add($"name \"{info.Name}\", want \"{_expectedName}\" (the executable's file name, which the agent uses as driver)");
            if (info.Type != wantType) problems.Add($"type {info.Type}, want {wantType}");
            Add(checkName, problems.Count == 0, problems.Count == 0 ? $"name {info.Name}, type {info.Type}" : string.Join("; ", problems));
            return problems.Count == 0;
        }
        catch (RpcException exception)
        {
            Add(checkName, false, $"PluginInfo failed: {Describe(exception)}");
            return false;
        }
    }

    private async Task<bool> SetConfigAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var request = new SetConfigRequest();
            request.Config.Add(new Dictionary<string, string>(sampleConfig));
            await new BasePluginService.BasePluginServiceClient(channel).SetConfigAsync(request, Call(cancellationToken));
            Add("set-config.sample", true, $"accepted {sampleConfig.Count} key(s)");
            return true;
        }
        catch (RpcException exception)
        {
            Add("set-config.sample", false, $"SetConfig with the sample configuration failed: {Describe(exception)}");
            return false;
        }
    }

    private async Task UnknownKeyAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        const string name = "set-config.unknown-key";
        var client = new BasePluginService.BasePluginServiceClient(channel);
        var request = new SetConfigRequest();
        request.Config.Add(new Dictionary<string, string>(sampleConfig));
        request.Config[UnknownKey] = "1";
        try
        {
            await client.SetConfigAsync(request, Call(cancellationToken));
            Add(name, options.AcceptsUnknownKeys, options.AcceptsUnknownKeys
                ? $"SetConfig accepted the unknown key {UnknownKey}, as the plugin declares (AcceptsUnknownKeys)"
                : $"SetConfig accepted the unknown key {UnknownKey}; want INVALID_ARGUMENT with a BadRequest field violation naming it");
        }
        catch (RpcException exception) when (options.AcceptsUnknownKeys)
        {
            Add(name, false, $"SetConfig rejected the unknown key {UnknownKey} ({Describe(exception)}) but the plugin is declared to accept unknown keys");
        }
        catch (RpcException exception)
        {
            var badRequest = exception.GetRpcStatus()?.GetDetail<BadRequest>();
            var named = badRequest?.FieldViolations.Any(v => v.Field == UnknownKey) == true;
            var passed = exception.StatusCode == StatusCode.InvalidArgument && named;
            Add(name, passed, passed
                ? $"INVALID_ARGUMENT naming {UnknownKey}"
                : exception.StatusCode != StatusCode.InvalidArgument
                    ? $"got {Describe(exception)}, want INVALID_ARGUMENT"
                    : $"INVALID_ARGUMENT but no google.rpc.BadRequest field violation for {UnknownKey}");
        }

        // Put the good configuration back so later calls do not depend on how the plugin handled the bad one.
        try
        {
            var restore = new SetConfigRequest();
            restore.Config.Add(new Dictionary<string, string>(sampleConfig));
            await client.SetConfigAsync(restore, Call(cancellationToken));
        }
        catch (RpcException)
        {
        }
    }

    private async Task TypedRpcAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        var name = $"rpc.{KindName}";
        try
        {
            switch (kind)
            {
                case PluginKind.Apm:
                {
                    var now = DateTimeOffset.UtcNow;
                    var response = await new APMPluginService.APMPluginServiceClient(channel).QueryAsync(new QueryRequest
                    {
                        Query = "conformance",
                        TimeRange = new Shared.TimeRange { From = Timestamp.FromDateTimeOffset(now.AddMinutes(-1)), To = Timestamp.FromDateTimeOffset(now) },
                    }, Call(cancellationToken));
                    Add(name, true, $"Query returned {response.TimestampedMetric.Count} point(s)");
                    break;
                }

                case PluginKind.Strategy:
                {
                    var check = new Shared.ScalingPolicyCheck
                    {
                        Name = "conformance-check",
                        Source = "conformance-apm",
                        Query = "conformance",
                        QueryWindow = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
                        Strategy = new Shared.ScalingPolicyStrategy { Name = _expectedName },
                    };
                    check.Strategy.Config.Add(new Dictionary<string, string>(options.StrategyCheckConfig));
                    var request = new RunRequest { Action = new Shared.ScalingAction(), Check = check, Count = 1 };
                    request.TimestampedMetric.Add(new Shared.TimestampedMetric { Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), Value = 1 });
                    var response = await new StrategyPluginService.StrategyPluginServiceClient(channel).RunAsync(request, Call(cancellationToken));
                    var problems = new List<string>();
                    if (response.Action is null || response.Action.Direction == Shared.ScalingDirection.Unspecified)
                        problems.Add("action direction is UNSPECIFIED (the agent rejects it); use NONE, DOWN or UP");
                    if (!check.Equals(response.Check)) problems.Add("check was not echoed back unchanged");
                    if (!request.TimestampedMetric.Equals(response.TimestampedMetric)) problems.Add("timestamped_metric was not echoed back unchanged");
                    Add(name, problems.Count == 0, problems.Count == 0 ? $"Run returned direction {response.Action!.Direction}" : string.Join("; ", problems));
                    break;
                }

                case PluginKind.Target:
                {
                    var request = new StatusRequest();
                    request.Config.Add(new Dictionary<string, string>(options.TargetCheckConfig));
                    request.Config[PluginProtocol.GrpcTimeoutConfigKey] = "7.5s";
                    var response = await new TargetPluginService.TargetPluginServiceClient(channel).StatusAsync(request, Call(cancellationToken));
                    Add(name, true, $"Status returned ready={response.Ready} count={response.Count}");
                    break;
                }

                default:
                    Add(name, false, $"unknown plugin kind {kind}");
                    break;
            }
        }
        catch (RpcException exception)
        {
            Add(name, false, $"the {KindName} RPC failed: {Describe(exception)}");
        }
    }

    private async Task StdioAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = new GRPCStdio.GRPCStdioClient(channel).StreamStdio(new Google.Protobuf.WellKnownTypes.Empty(), cancellationToken: probe.Token);
        await ProbeStreamAsync("go-plugin.stdio", call.ResponseHeadersAsync, () => call.GetStatus(), probe, cancellationToken);
    }

    private async Task BrokerAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = new GRPCBroker.GRPCBrokerClient(channel).StartStream(cancellationToken: probe.Token);
        await ProbeStreamAsync("go-plugin.broker", call.ResponseHeadersAsync, () => call.GetStatus(), probe, cancellationToken);
        if (_checks[^1].Passed)
        {
            // A host that closes its side must not make the plugin fail; ignore the outcome of the close itself.
            try
            {
                await call.RequestStream.CompleteAsync();
            }
            catch (Exception exception) when (exception is RpcException or InvalidOperationException or IOException)
            {
            }
        }
    }

    /// <summary>Optional go-plugin streams: accepted when headers arrive, when the stream simply stays open, or when
    /// the plugin answers UNIMPLEMENTED (which hosts tolerate). Any other failure is a problem.</summary>
    private async Task ProbeStreamAsync(
        string name, Task<Metadata> headers, Func<global::Grpc.Core.Status> status, CancellationTokenSource probe, CancellationToken cancellationToken)
    {
        try
        {
            await headers.WaitAsync(StreamProbeTime, cancellationToken);
            Add(name, true, "stream accepted");
        }
        catch (TimeoutException)
        {
            Add(name, true, $"stream open (no headers within {StreamProbeTime.TotalSeconds:0} s)");
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Unimplemented)
        {
            Add(name, true, "UNIMPLEMENTED (tolerated by go-plugin hosts)");
        }
        catch (RpcException exception)
        {
            Add(name, false, $"the stream failed: {Describe(exception)}");
        }

        _ = status;
        await probe.CancelAsync();
    }

    private async Task ShutdownAsync(PluginProcess plugin, GrpcChannel channel, HandshakeInfo info, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        try
        {
            // go-plugin servers stop inside the handler, so hosts commonly see UNAVAILABLE: the result is ignored, as hosts do.
            await new GRPCController.GRPCControllerClient(channel).ShutdownAsync(new NomadAutoscaler.Plugins.Contracts.GoPlugin.Empty(), Call(cancellationToken));
        }
        catch (RpcException)
        {
        }

        var remaining = options.ShutdownTimeout - (DateTime.UtcNow - started);
        var exited = await plugin.WaitForExitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken);
        var elapsed = DateTime.UtcNow - started;
        if (!exited)
            Add("shutdown.exit", false, $"the plugin was still running {options.ShutdownTimeout.TotalSeconds:0.#} s after Shutdown; go-plugin hosts SIGKILL it then");
        else
            Add("shutdown.exit", plugin.ExitCode == 0,
                plugin.ExitCode == 0 ? $"exit 0 after {elapsed.TotalMilliseconds:0} ms" : $"exit code {plugin.ExitCode} after Shutdown, want 0");

        if (info.Network == "unix")
        {
            if (!exited) await plugin.WaitForExitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            var removed = !File.Exists(info.Address);
            Add("shutdown.socket-removed", removed, removed ? "socket file removed" : $"socket file {info.Address} left behind");
        }
    }

    private async Task StdoutAndStderrAsync(PluginProcess plugin, CancellationToken cancellationToken)
    {
        if (!plugin.HasExited) await plugin.DisposeAsync();
        string rest;
        try
        {
            rest = await plugin.ReadRestOfStdoutAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (TimeoutException)
        {
            rest = "(stdout still open)";
        }

        Add("stdout.only-handshake", rest.Length == 0,
            rest.Length == 0 ? "nothing on stdout after the handshake line" : $"stdout carried more than the handshake line: \"{Truncate(rest)}\"");

        var lines = plugin.StderrLines.Where(line => line.Length > 0).ToList();
        var problems = new List<string>();
        foreach (var line in lines)
        {
            var problem = HclogLineProblem(line);
            if (problem is not null) problems.Add($"{problem}: {Truncate(line)}");
        }

        Add("stderr.hclog-json", problems.Count == 0, problems.Count == 0
            ? $"{lines.Count} stderr line(s), all hclog JSON"
            : $"{problems.Count} of {lines.Count} stderr line(s) are not valid hclog JSON; first: {problems[0]}");
    }

    /// <summary>What go-plugin needs from a JSON log line; null when the line is fine.</summary>
    internal static string? HclogLineProblem(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return "not JSON (the host logs it raw at DEBUG)";
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "not a JSON object";
            foreach (var key in new[] { "@level", "@message", "@timestamp" })
            {
                if (!root.TryGetProperty(key, out var value)) return $"{key} is missing";
                // go-plugin does unchecked string assertions on these: anything else panics the host.
                if (value.ValueKind != JsonValueKind.String) return $"{key} is a JSON {value.ValueKind}, not a string (this panics a Go host)";
            }

            var level = root.GetProperty("@level").GetString()!.Trim().ToLowerInvariant();
            if (level is not ("trace" or "debug" or "info" or "warn" or "error")) return $"@level \"{level}\" is not trace|debug|info|warn|error";
            var timestamp = root.GetProperty("@timestamp").GetString()!;
            if (!TimestampPattern().IsMatch(timestamp)) return $"@timestamp \"{timestamp}\" is not YYYY-MM-DDTHH:MM:SS.ffffffZ07:00";
            return null;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();

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
