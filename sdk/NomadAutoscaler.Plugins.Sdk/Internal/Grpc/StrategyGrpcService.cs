using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Strategy.V1;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

internal sealed class StrategyGrpcService(IInProcessPlugin plugin) : StrategyPluginService.StrategyPluginServiceBase
{
    public override async Task<RunResponse> Run(RunRequest request, ServerCallContext context)
    {
        var strategyRequest = new StrategyRequest(
            ProtoMapping.FromProto(request.Check),
            request.TimestampedMetric.Select(ProtoMapping.FromProto).ToList(),
            request.Count);
        var action = await plugin.RunAsync(strategyRequest, context.CancellationToken);
        // The Go server adapter echoes check and metrics unchanged; the agent reads them back from the response.
        var response = new RunResponse { Action = ProtoMapping.ToProto(action), Check = request.Check };
        response.TimestampedMetric.Add(request.TimestampedMetric);
        return response;
    }
}
