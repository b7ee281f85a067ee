using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Target.V1;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

internal sealed class TargetGrpcService(IInProcessPlugin plugin) : TargetPluginService.TargetPluginServiceBase
{
    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        // `_nomad_autoscaler_grpc_timeout` is only a config key here: the agent already turned it into this call's deadline.
        var status = await plugin.GetStatusAsync(ProtoMapping.Settings(request.Config), context.CancellationToken)
            ?? throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, $"target of plugin {plugin.Name} does not exist"));
        var response = new StatusResponse { Ready = status.Ready, Count = status.Count };
        foreach (var (key, value) in status.Meta) response.Meta[key] = value ?? "";
        return response;
    }

    public override async Task<ScaleResponse> Scale(ScaleRequest request, ServerCallContext context)
    {
        await plugin.ScaleAsync(ProtoMapping.FromProto(request.Action), ProtoMapping.Settings(request.Config), context.CancellationToken);
        return new ScaleResponse();
    }
}
