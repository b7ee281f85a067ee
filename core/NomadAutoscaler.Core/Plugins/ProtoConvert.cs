using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal;
using Proto = NomadAutoscaler.Plugins.Contracts.Shared.V1;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Conversions between the SDK's author types and the wire messages, with upstream's quirks
/// (meta is an <c>Any</c> with an empty type URL carrying JSON bytes).</summary>
internal static class ProtoConvert
{
    public static Proto.TimeRange ToTimeRange(ApmQuery query) => new()
    {
        From = Timestamp.FromDateTimeOffset(query.From),
        To = Timestamp.FromDateTimeOffset(query.To),
    };

    public static IReadOnlyList<MetricPoint> ToMetrics(IEnumerable<Proto.TimestampedMetric> metrics)
    {
        var list = new List<MetricPoint>();
        foreach (var m in metrics)
        {
            var at = m.Timestamp is null ? DateTimeOffset.UnixEpoch : m.Timestamp.ToDateTimeOffset();
            list.Add(new MetricPoint(at, m.Value));
        }

        return list;
    }

    public static IEnumerable<Proto.TimestampedMetric> FromMetrics(IEnumerable<MetricPoint> metrics)
        => metrics.Select(m => new Proto.TimestampedMetric { Timestamp = Timestamp.FromDateTimeOffset(m.Timestamp), Value = m.Value });

    public static Proto.ScalingAction FromAction(ScalingAction action)
    {
        var proto = new Proto.ScalingAction
        {
            Count = action.Count,
            Reason = action.Reason ?? string.Empty,
            Error = action.Error,
            Direction = (Proto.ScalingDirection)(int)action.Direction,
        };
        if (action.Meta.Count > 0)
        {
            proto.Meta = new Any { TypeUrl = string.Empty, Value = ByteString.CopyFrom(ScalingMetaJson.Serialize(action.Meta)) };
        }

        return proto;
    }

    /// <summary>Converts a plugin's action. Returns null for <c>SCALING_DIRECTION_UNSPECIFIED</c>, which the agent rejects.</summary>
    public static ScalingAction? ToAction(Proto.ScalingAction? proto)
    {
        if (proto is null || proto.Direction == Proto.ScalingDirection.Unspecified) return null;
        var direction = proto.Direction switch
        {
            Proto.ScalingDirection.None => ScalingDirection.None,
            Proto.ScalingDirection.Down => ScalingDirection.Down,
            Proto.ScalingDirection.Up => ScalingDirection.Up,
            _ => (ScalingDirection?)null,
        };
        if (direction is null) return null;
        return new ScalingAction(proto.Count, direction.Value, proto.Reason)
        {
            Error = proto.Error,
            Meta = DecodeMeta(proto.Meta),
        };
    }

    public static Proto.ScalingPolicyCheck FromCheck(PolicyCheck check)
    {
        var strategy = new Proto.ScalingPolicyStrategy { Name = check.Strategy.Name };
        foreach (var (k, v) in check.Strategy.Config) strategy.Config[k] = v;
        return new Proto.ScalingPolicyCheck
        {
            Name = check.Name,
            Source = check.Source,
            Query = check.Query,
            QueryWindow = Duration.FromTimeSpan(check.QueryWindow),
            Strategy = strategy,
        };
    }

    /// <summary>Meta JSON object → .NET values (string, long, double, bool, null, nested maps and lists).</summary>
    public static IReadOnlyDictionary<string, object?> DecodeMeta(Any? meta)
    {
        if (meta is null || meta.Value.IsEmpty) return new Dictionary<string, object?>();
        try
        {
            using var doc = JsonDocument.Parse(meta.Value.Memory);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return new Dictionary<string, object?>();
            return (IReadOnlyDictionary<string, object?>)FromJson(doc.RootElement)!;
        }
        catch (JsonException)
        {
            // Not JSON: keep the bytes readable rather than failing the whole evaluation over metadata.
            return new Dictionary<string, object?> { ["_raw"] = Encoding.UTF8.GetString(meta.Value.Span) };
        }
    }

    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (map, p) =>
            {
                map[p.Name] = FromJson(p.Value);
                return map;
            }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        // Boxed separately: a conditional of long and double would turn every integer into a double.
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
