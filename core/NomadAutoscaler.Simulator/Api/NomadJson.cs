using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// Renders state rows as Nomad writes them (go-codec JSON): Go field names, nil slices and maps as <c>null</c>,
/// zero times as <c>null</c>, durations as integer nanoseconds, and struct-level omitempty for Allocation and
/// Evaluation objects.
/// </summary>
internal static partial class NomadJson
{
    public static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions Pretty = new(Compact) { WriteIndented = true };

    public static JsonNode? Time(DateTimeOffset? time) =>
        time is { } t && t != default
            ? JsonValue.Create(t.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture))
            : null;

    public static JsonObject? StringMap(IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            return null;
        }

        var obj = new JsonObject();
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            obj[key] = value;
        }

        return obj;
    }

    /// <summary>go-codec struct-level omitempty: drop null, "", 0, false and empty collections from the top level.</summary>
    public static JsonObject OmitEmpty(JsonObject obj)
    {
        foreach (var key in obj.Where(p => IsZero(p.Value)).Select(p => p.Key).ToList())
        {
            obj.Remove(key);
        }

        return obj;
    }

    private static bool IsZero(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False => true,
            JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) == 0,
            _ => false,
        },
        _ => false,
    };

    // ---------------------------------------------------------------- evaluations

    public static JsonObject Evaluation(SimEvaluation eval)
    {
        JsonObject? failed = null;
        if (eval.FailedTGAllocs is { Count: > 0 } failures)
        {
            failed = new JsonObject(failures.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)new JsonObject
            {
                ["NodesEvaluated"] = f.Value.NodesEvaluated,
                ["NodesFiltered"] = 0,
                ["NodesAvailable"] = null,
                ["NodesExhausted"] = f.Value.NodesExhausted,
                ["DimensionExhausted"] = new JsonObject { [f.Value.Dimension] = f.Value.NodesExhausted },
                ["CoalescedFailures"] = 0,
            })));
        }

        return OmitEmpty(new JsonObject
        {
            ["ID"] = eval.ID,
            ["Namespace"] = eval.Namespace,
            ["Priority"] = eval.Priority,
            ["Type"] = eval.Type,
            ["TriggeredBy"] = eval.TriggeredBy,
            ["JobID"] = eval.JobID,
            ["JobModifyIndex"] = eval.JobModifyIndex,
            ["NodeID"] = eval.NodeID,
            ["NodeModifyIndex"] = eval.NodeModifyIndex,
            ["Status"] = eval.Status,
            ["StatusDescription"] = eval.StatusDescription,
            ["PreviousEval"] = eval.PreviousEval,
            ["BlockedEval"] = eval.BlockedEval,
            ["FailedTGAllocs"] = failed,
            ["QueuedAllocations"] = eval.QueuedAllocations is null
                ? null
                : new JsonObject(eval.QueuedAllocations.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)q.Value))),
            ["CreateIndex"] = eval.CreateIndex,
            ["ModifyIndex"] = eval.ModifyIndex,
            ["CreateTime"] = eval.CreateTime,
            ["ModifyTime"] = eval.ModifyTime,
        });
    }

    // ---------------------------------------------------------------- scaling

    public static JsonObject PolicyStub(SimScalingPolicy policy) => new()
    {
        ["ID"] = policy.ID,
        ["Enabled"] = policy.Enabled,
        ["Type"] = policy.Type,
        ["Target"] = PolicyTarget(policy),
        ["CreateIndex"] = policy.CreateIndex,
        ["ModifyIndex"] = policy.ModifyIndex,
    };

    public static JsonObject Policy(SimScalingPolicy policy) => new()
    {
        ["ID"] = policy.ID,
        ["Type"] = policy.Type,
        ["Target"] = PolicyTarget(policy),
        ["Policy"] = policy.Policy.DeepClone(),
        ["Min"] = policy.Min,
        ["Max"] = policy.Max,
        ["Enabled"] = policy.Enabled,
        ["CreateIndex"] = policy.CreateIndex,
        ["ModifyIndex"] = policy.ModifyIndex,
    };

    private static JsonObject PolicyTarget(SimScalingPolicy policy) => new()
    {
        ["Namespace"] = policy.Namespace,
        ["Job"] = policy.JobID,
        ["Group"] = policy.Group,
    };

    public static JsonObject ScalingEvent(SimScalingEvent e) => new()
    {
        ["Time"] = e.Time,
        ["Count"] = e.Count,
        ["PreviousCount"] = e.PreviousCount,
        ["Message"] = e.Message,
        ["Error"] = e.Error,
        ["Meta"] = e.Meta?.DeepClone(),
        ["EvalID"] = e.EvalID,
        ["CreateIndex"] = e.CreateIndex,
    };

    // ---------------------------------------------------------------- variables

    public static JsonObject Variable(SimVariable variable, bool includeItems, bool includeLock)
    {
        var obj = new JsonObject
        {
            ["Namespace"] = variable.Namespace,
            ["Path"] = variable.Path,
            ["CreateIndex"] = variable.CreateIndex,
            ["ModifyIndex"] = variable.ModifyIndex,
            ["CreateTime"] = variable.CreateTime,
            ["ModifyTime"] = variable.ModifyTime,
        };
        if (includeItems && variable.Items is { Count: > 0 } items)
        {
            obj["Items"] = StringMap(items);
        }

        if (includeLock && variable.Lock is { } held)
        {
            obj["Lock"] = new JsonObject
            {
                ["ID"] = held.ID,
                ["TTL"] = GoDuration.Format(held.TTL),
                ["LockDelay"] = GoDuration.Format(held.LockDelay),
            };
        }

        return obj;
    }

    public static JsonObject VariableConflict(string ns, string path) => new()
    {
        ["Namespace"] = ns,
        ["Path"] = path,
        ["CreateIndex"] = 0,
        ["CreateTime"] = 0,
        ["ModifyIndex"] = 0,
        ["ModifyTime"] = 0,
    };
}
