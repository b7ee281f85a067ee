using Grpc.Core;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

internal sealed class BasePluginGrpcService(IInProcessPlugin plugin, ILogger<BasePluginGrpcService> logger)
    : BasePluginService.BasePluginServiceBase
{
    public override Task<PluginInfoResponse> PluginInfo(PluginInfoRequest request, ServerCallContext context)
        => Task.FromResult(new PluginInfoResponse
        {
            Name = plugin.Name,
            Type = plugin.Kind.ToPluginType(),
        });

    public override async Task<SetConfigResponse> SetConfig(SetConfigRequest request, ServerCallContext context)
    {
        await plugin.SetConfigAsync(new Dictionary<string, string>(request.Config), context.CancellationToken);
        // Keys only: values may hold secrets such as nomad_token.
        logger.Hclog(LogLevel.Information, "plugin configured", ("keys", string.Join(",", request.Config.Keys.Order(StringComparer.Ordinal))));
        return new SetConfigResponse();
    }
}
