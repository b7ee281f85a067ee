using System.Globalization;
using System.Text.Json.Nodes;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Http;

/// <summary>The read-only policy state served by <c>/v1/policies</c> and <c>/v1/policy/{id}</c>. Every plugin config
/// map and action meta goes through <see cref="ConfigRedaction"/>, so a target's password never reaches a client.</summary>
internal static class PolicyStateJson
{
    public static JsonObject List(PolicyManager? manager)
    {
        var handlers = manager?.Handlers ?? [];
        var errors = manager?.SourceErrors ?? new Dictionary<string, IReadOnlyList<string>>();
        return new JsonObject
        {
            ["policies"] = new JsonArray([.. handlers.OrderBy(h => h.Policy.Id, StringComparer.Ordinal).Select(h => (JsonNode)Summary(h))]),
            ["source_errors"] = new JsonObject(errors.OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray([.. e.Value.Select(v => (JsonNode)v)])))),
        };
    }

    public static JsonObject Summary(PolicyHandler handler)
    {
        var policy = handler.Policy;
        var history = handler.History;
        var last = history.Count > 0 ? history[0] : null;
        // A failed check is an error too, even when on_check_error let the evaluation go on without it.
        var lastError = history.Select(r => (Record: r, Error: r.Error ?? r.Checks.Where(c => c.Error is not null).Select(c => $"check {c.Check}: {c.Error}").FirstOrDefault()))
            .FirstOrDefault(e => e.Error is not null);
        var counted = history.FirstOrDefault(r => r.CurrentCount is not null);
        var cooldown = handler.CooldownUntil;
        return new JsonObject
        {
            ["id"] = policy.Id,
            ["name"] = policy.Name,
            ["source"] = policy.Source,
            ["file"] = policy.FilePath,
            ["type"] = policy.Type,
            ["enabled"] = policy.Enabled,
            ["min"] = policy.Min,
            ["max"] = policy.Max,
            ["evaluation_interval"] = GoDuration.Format(policy.EvaluationInterval),
            ["cooldown"] = GoDuration.Format(policy.Cooldown),
            ["target"] = new JsonObject
            {
                ["name"] = policy.Target.Name,
                ["config"] = Map(ConfigRedaction.RedactMap(policy.Target.Config)),
            },
            ["last_evaluation"] = last is null ? null : new JsonObject
            {
                ["time"] = Time(last.StartedAt),
                ["outcome"] = Outcome(last.Outcome),
            },
            ["current_count"] = counted?.CurrentCount,
            ["desired_count"] = counted is null ? null : counted.Action is { Direction: not ScalingDirection.None } wanted ? wanted.Count : counted.CurrentCount,
            ["next_evaluation"] = handler.NextEvaluation is { } next ? Time(next) : null,
            ["cooldown_until"] = cooldown == DateTimeOffset.MinValue ? null : Time(cooldown),
            ["last_error"] = lastError.Error is null ? null : new JsonObject
            {
                ["time"] = Time(lastError.Record.StartedAt),
                ["error"] = lastError.Error,
            },
        };
    }

    public static JsonObject Detail(PolicyHandler handler)
    {
        var summary = Summary(handler);
        var policy = handler.Policy;
        summary["checks"] = new JsonArray([.. policy.Checks.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["group"] = c.Group,
            ["source"] = c.Source,
            ["query"] = c.Query,
            ["query_window"] = c.QueryInstant ? "instant" : GoDuration.Format(c.QueryWindow),
            ["strategy"] = new JsonObject
            {
                ["name"] = c.StrategyName,
                ["config"] = Map(ConfigRedaction.RedactMap(c.StrategyConfig)),
            },
        })]);
        summary["decisions"] = new JsonArray([.. handler.History.Select(r => (JsonNode)Decision(r))]);
        summary["scaling_history"] = new JsonArray([.. handler.Decisions.Select(d => (JsonNode)new JsonObject
        {
            ["time"] = Time(d.Time),
            ["from"] = d.From,
            ["to"] = d.To,
            ["reason"] = d.Reason,
            ["restored"] = d.Restored,
        })]);
        return summary;
    }

    private static JsonObject Decision(EvaluationRecord record) => new()
    {
        ["scheduled_at"] = Time(record.ScheduledAt),
        ["started_at"] = Time(record.StartedAt),
        ["finished_at"] = Time(record.FinishedAt),
        ["outcome"] = Outcome(record.Outcome),
        ["current_count"] = record.CurrentCount,
        ["action"] = Action(record.Action),
        ["checks"] = new JsonArray([.. record.Checks.Select(c => (JsonNode)new JsonObject
        {
            ["check"] = c.Check,
            ["metric"] = Number(c.Metrics),
            ["metric_count"] = c.MetricCount,
            ["action"] = Action(c.Action),
            ["error"] = c.Error,
            ["skipped"] = c.Skipped,
        })]),
        ["reason"] = record.Reason,
        ["notice"] = record.Notice,
        ["error"] = record.Error,
    };

    private static JsonObject? Action(ScalingAction? action) => action is null ? null : new JsonObject
    {
        ["count"] = action.Count,
        ["direction"] = action.Direction.ToString().ToLowerInvariant(),
        ["reason"] = action.Reason,
        ["error"] = action.Error,
        ["meta"] = new JsonObject(action.Meta.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Key,
            ConfigRedaction.IsSecretKey(m.Key) ? (JsonNode?)ConfigRedaction.Redacted : MetaValue(m.Value)))),
    };

    private static JsonNode? MetaValue(object? value) => value switch
    {
        null => null,
        bool b => b,
        long l => l,
        int i => i,
        double d => Number(d),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    // JSON has no NaN or infinity; an APM's NaN (an empty Prometheus vector, say) is shown as its text.
    private static JsonNode? Number(double? value) => value switch
    {
        null => null,
        { } v when double.IsFinite(v) => v,
        { } v => v.ToString(CultureInfo.InvariantCulture),
    };

    private static JsonObject Map(IReadOnlyDictionary<string, string> map)
        => new(map.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>NoAction</c> → <c>no_action</c>.</summary>
    internal static string Outcome(EvaluationOutcome outcome)
    {
        var name = outcome.ToString();
        var chars = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) chars.Append('_');
            chars.Append(char.ToLowerInvariant(name[i]));
        }

        return chars.ToString();
    }
}
