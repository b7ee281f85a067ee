using NomadAutoscaler.Plugins.Contracts.Strategy.V1;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;
using Shared = NomadAutoscaler.Plugins.Contracts.Shared.V1;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary><see cref="IStrategyClient"/> over go-plugin gRPC.</summary>
internal sealed class GrpcStrategyClient(IPluginChannelSource source) : IStrategyClient
{
    public string PluginName => source.Name;

    public async Task<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
    {
        // Upstream sends an empty action; the strategy fills it in.
        var message = new RunRequest
        {
            Action = new Shared.ScalingAction(),
            Check = ProtoMapping.ToProto(request.Check),
            Count = request.CurrentCount,
        };
        message.TimestampedMetric.AddRange(request.Metrics.Select(ProtoMapping.ToProto));
        var response = await GrpcCall.InvokeAsync(source, "Run", PluginMetrics.StrategyRun, false,
            (invoker, token) => new StrategyPluginService.StrategyPluginServiceClient(invoker).RunAsync(message, cancellationToken: token).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return ProtoMapping.FromStrategyProto(response.Action)
            ?? throw new PluginException(source.Name, source.Kind,
                $"strategy plugin \"{source.Name}\" Run returned an action without a scaling direction (SCALING_DIRECTION_UNSPECIFIED)");
    }
}
