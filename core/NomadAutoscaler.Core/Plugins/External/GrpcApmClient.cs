using System.Diagnostics;
using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary><see cref="IApmClient"/> over go-plugin gRPC.</summary>
internal sealed class GrpcApmClient(IPluginChannelSource source) : IApmClient
{
    public string PluginName => source.Name;

    public async Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var request = new QueryRequest { Query = query.Query, TimeRange = ProtoMapping.ToTimeRange(query) };
        var response = await GrpcCall.InvokeAsync(source, "Query", PluginMetrics.ApmQuery, false,
            (invoker, token) => new APMPluginService.APMPluginServiceClient(invoker).QueryAsync(request, cancellationToken: token).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return [.. response.TimestampedMetric.Select(ProtoMapping.FromProto)];
    }

    public async Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        var request = new QueryMultipleRequest { Query = query.Query, TimeRange = ProtoMapping.ToTimeRange(query) };
        var response = await GrpcCall.InvokeAsync(source, "QueryMultiple", PluginMetrics.ApmQuery, false,
            (invoker, token) => new APMPluginService.APMPluginServiceClient(invoker).QueryMultipleAsync(request, cancellationToken: token).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return [.. response.TimestampedMetric.Select(series => series.TimestampedMetric.Select(ProtoMapping.FromProto).ToList())];
    }
}
