using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Shared = NomadAutoscaler.Plugins.Contracts.Shared.V1;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

/// <summary>Conversions between the wire messages and the SDK's records, in both directions: the plugin side
/// (the SDK's gRPC services) and the agent side (the agent's gRPC clients) use the same code, so the two cannot
/// drift. Upstream's quirks live here: meta is an <c>Any</c> with an empty type URL carrying JSON bytes.</summary>
internal static class ProtoMapping
{
    public static Shared.ScalingAction ToProto(ScalingAction action)
    {
        var proto = new Shared.ScalingAction
        {
            Count = action.Count,
            Reason = action.Reason ?? "",
            Error = action.Error,
            Direction = action.Direction switch
            {
                ScalingDirection.None => Shared.ScalingDirection.None,
                ScalingDirection.Down => Shared.ScalingDirection.Down,
                ScalingDirection.Up => Shared.ScalingDirection.Up,
                _ => Shared.ScalingDirection.Unspecified,
            },
        };
        // Upstream leaves the field unset for a nil map; an empty type_url marks raw JSON, never a packed message.
        if (action.Meta is { Count: > 0 })
            proto.Meta = new Any { TypeUrl = "", Value = ByteString.CopyFrom(ScalingMetaJson.Serialize(action.Meta)) };
        return proto;
    }

    /// <summary>The action an agent hands a target plugin. A missing action is one that changes nothing.</summary>
    public static ScalingAction FromProto(Shared.ScalingAction? proto)
    {
        if (proto is null) return ScalingAction.NoChange();
        var direction = proto.Direction switch
        {
            Shared.ScalingDirection.Down => ScalingDirection.Down,
            Shared.ScalingDirection.Up => ScalingDirection.Up,
            _ => ScalingDirection.None,
        };
        return WithDirection(proto, direction);
    }

    /// <summary>The action a strategy plugin returns to the agent, or null when it names no direction
    /// (<c>SCALING_DIRECTION_UNSPECIFIED</c> or a value this build does not know), which the agent rejects.</summary>
    public static ScalingAction? FromStrategyProto(Shared.ScalingAction? proto)
    {
        var direction = proto?.Direction switch
        {
            Shared.ScalingDirection.None => ScalingDirection.None,
            Shared.ScalingDirection.Down => ScalingDirection.Down,
            Shared.ScalingDirection.Up => ScalingDirection.Up,
            _ => (ScalingDirection?)null,
        };
        return direction is null ? null : WithDirection(proto!, direction.Value);
    }

    private static ScalingAction WithDirection(Shared.ScalingAction proto, ScalingDirection direction)
    {
        var meta = proto.Meta is { Value.IsEmpty: false }
            ? ScalingMetaJson.Deserialize(proto.Meta.Value.Span)
            : new Dictionary<string, object?>();
        return new ScalingAction(proto.Count, direction, proto.Reason) { Error = proto.Error, Meta = meta };
    }

    public static PolicyCheck FromProto(Shared.ScalingPolicyCheck? check)
    {
        check ??= new Shared.ScalingPolicyCheck();
        return new PolicyCheck(
            check.Name,
            check.Source,
            check.Query,
            check.QueryWindow?.ToTimeSpan() ?? TimeSpan.Zero,
            new StrategyConfig(check.Strategy?.Name ?? "", Settings(check.Strategy?.Config)));
    }

    public static Shared.ScalingPolicyCheck ToProto(PolicyCheck check)
    {
        var strategy = new Shared.ScalingPolicyStrategy { Name = check.Strategy.Name };
        foreach (var (key, value) in check.Strategy.Config) strategy.Config[key] = value;
        return new Shared.ScalingPolicyCheck
        {
            Name = check.Name,
            Source = check.Source,
            Query = check.Query,
            QueryWindow = Duration.FromTimeSpan(check.QueryWindow),
            Strategy = strategy,
        };
    }

    public static PluginSettings Settings(MapField<string, string>? map)
        => map is null || map.Count == 0 ? PluginSettings.Empty : new PluginSettings(new Dictionary<string, string>(map));

    public static MetricPoint FromProto(Shared.TimestampedMetric metric)
        => new(metric.Timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch, metric.Value);

    public static Shared.TimestampedMetric ToProto(MetricPoint point)
        => new() { Timestamp = Timestamp.FromDateTimeOffset(point.Timestamp), Value = point.Value };

    public static Shared.TimeRange ToTimeRange(ApmQuery query)
        => new() { From = Timestamp.FromDateTimeOffset(query.From), To = Timestamp.FromDateTimeOffset(query.To) };

    public static ApmQuery ApmQuery(string query, Shared.TimeRange? range, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        var to = range?.To?.ToDateTimeOffset() ?? now;
        var from = range?.From?.ToDateTimeOffset() ?? to;
        return new ApmQuery(query, from, to);
    }
}
