using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

internal sealed class ApmGrpcService(IInProcessPlugin plugin, TimeProvider timeProvider) : APMPluginService.APMPluginServiceBase
{
    public override async Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        var points = await plugin.QueryAsync(ProtoMapping.ApmQuery(request.Query, request.TimeRange, timeProvider), context.CancellationToken);
        return Series(points);
    }

    public override async Task<QueryMultipleResponse> QueryMultiple(QueryMultipleRequest request, ServerCallContext context)
    {
        var series = await plugin.QueryMultipleAsync(ProtoMapping.ApmQuery(request.Query, request.TimeRange, timeProvider), context.CancellationToken);
        var response = new QueryMultipleResponse();
        foreach (var points in series) response.TimestampedMetric.Add(Series(points));
        return response;
    }

    private static QueryResponse Series(IReadOnlyList<MetricPoint>? points)
    {
        var response = new QueryResponse();
        foreach (var point in points ?? []) response.TimestampedMetric.Add(ProtoMapping.ToProto(point));
        return response;
    }
}
