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

/// <summary>The checks of the main session's calls: health, plugin info, config, the typed RPCs, stdio, broker and shutdown.</summary>
internal sealed partial class ConformanceRun
{
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
}
