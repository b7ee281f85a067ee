using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Target.V1;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary><see cref="ITargetClient"/> over go-plugin gRPC.</summary>
internal sealed class GrpcTargetClient(IPluginChannelSource source) : ITargetClient
{
    public string PluginName => source.Name;

    public async Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        var request = new StatusRequest();
        foreach (var (key, value) in config) request.Config[key] = value;
        DateTime? deadline = null;
        // As upstream: the key is both the call deadline and sent on to the plugin; an unparsable value sets no deadline.
        if (config.TryGetValue(ITargetClient.GrpcTimeoutKey, out var timeoutText) && GoDuration.TryParse(timeoutText, out var timeout) && timeout > TimeSpan.Zero)
            deadline = DateTime.UtcNow + timeout;
        StatusResponse response;
        try
        {
            response = await GrpcCall.InvokeAsync(source, "Status", PluginMetrics.TargetStatus, false,
                (invoker, token) => new TargetPluginService.TargetPluginServiceClient(invoker)
                    .StatusAsync(request, deadline: deadline, cancellationToken: token).ResponseAsync,
                cancellationToken, deadline).ConfigureAwait(false);
        }
        catch (PluginException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // The SDK's gRPC server sends NOT_FOUND when the plugin returned no status: the target does not exist.
            return null;
        }

        return new TargetStatus(response.Ready, response.Count) { Meta = new Dictionary<string, string>(response.Meta) };
    }

    public async Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        var request = new ScaleRequest { Action = ProtoMapping.ToProto(action) };
        foreach (var (key, value) in config) request.Config[key] = value;
        try
        {
            await GrpcCall.InvokeAsync(source, "Scale", PluginMetrics.TargetScale, true,
                (invoker, token) => new TargetPluginService.TargetPluginServiceClient(invoker).ScaleAsync(request, cancellationToken: token).ResponseAsync,
                cancellationToken).ConfigureAwait(false);
            return ScaleOutcome.Scaled;
        }
        catch (PluginException ex) when (ex.StatusCode == StatusCode.Aborted)
        {
            return ScaleOutcome.NoOpBecause((ex.InnerException as RpcException)?.Status.Detail);
        }
    }
}
