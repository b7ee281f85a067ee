using System.Globalization;
using System.Text.Json;
using NomadAutoscaler.Plugins.Sdk;
using NomadPolicy = NomadAutoscaler.Nomad.ScalingPolicy;

namespace NomadAutoscaler.Core.Policy;

/// <summary>Turns a Nomad job-spec scaling policy (<c>GET /v1/scaling/policy/:id</c>) into the engine's policy.
/// Nomad stores HCL blocks as lists of single-key maps: <c>"check":[{"c1":[{...}]}]</c>.</summary>
internal static class NomadPolicyParser
{
    public static ScalingPolicy Parse(NomadPolicy source, PolicyDefaults defaults, out List<string> errors)
    {
        errors = [];
        var body = source.Policy ?? new Dictionary<string, JsonElement>();
        var target = new Dictionary<string, string>(source.Target ?? new Dictionary<string, string>(), StringComparer.Ordinal);

        if (source.ID.Length == 0) errors.Add("ID is empty");
        if (source.Target is null) errors.Add("Target is nil");
        if (source.Min is null) errors.Add("scaling.min is missing");
        if (source.Max is null) errors.Add("scaling.max is missing");
        if (source.Min < 0) errors.Add("scaling.min can't be negative");
        if (source.Max < 0) errors.Add("scaling.max can't be negative");
        if (source.Min > source.Max) errors.Add("scaling.min must be smaller than scaling.max");
        var type = source.Type.Length == 0 ? PolicyTypes.Horizontal : source.Type;
        if (type is not (PolicyTypes.Horizontal or PolicyTypes.Cluster)) errors.Add($"policy type \"{type}\" not supported");
        if (source.Policy is null || source.Policy.Count == 0)
            errors.Add("empty policy, this policy won't execute any verification or scaling and should have enabled set to false");

        var cooldown = Duration(body, "cooldown", errors) ?? defaults.Cooldown;
        var policy = new ScalingPolicy
        {
            Id = source.ID,
            Name = target.TryGetValue("Job", out var job) && target.TryGetValue("Group", out var group) ? $"{job}/{group}" : source.ID,
            Source = "nomad",
            Type = type,
            Enabled = source.Enabled,
            Min = source.Min ?? 0,
            Max = source.Max ?? 0,
            Cooldown = cooldown,
            CooldownOnScaleUp = Duration(body, "cooldown_on_scale_up", errors) is { } up && up > TimeSpan.Zero ? up : cooldown,
            EvaluationInterval = Duration(body, "evaluation_interval", errors) is { } i && i > TimeSpan.Zero ? i : defaults.EvaluationInterval,
            OnCheckError = Text(body, "on_check_error") ?? "",
            Schedule = Schedule(body.GetValueOrDefault("schedule"), "policy.schedule", errors),
            Checks = Checks(body, errors),
            Target = TargetOf(body, target, type, errors),
            Revision = source.ModifyIndex.ToString(CultureInfo.InvariantCulture),
        };

        if (policy.OnCheckError is not ("" or "ignore" or "fail"))
            errors.Add("invalid value for on_check_error: only fail and ignore are allowed");
        if (policy.Checks.Count == 0 && errors.Count == 0)
            errors.Add("empty checks, this policy won't execute any verification or scaling and should have enabled set to false");
        return policy;
    }

    private static List<PolicyCheckSpec> Checks(IReadOnlyDictionary<string, JsonElement> body, List<string> errors)
    {
        var checks = new List<PolicyCheckSpec>();
        foreach (var (name, check) in Blocks(body.GetValueOrDefault("check"), "scaling.policy.check", errors))
        {
            var path = $"scaling.policy.check[{name}]";
            var strategies = Blocks(check.GetValueOrDefault("strategy"), path + ".strategy", errors).ToList();
            if (strategies.Count != 1)
            {
                errors.Add(strategies.Count == 0
                    ? "empty checks, this policy won't execute any verification or scaling and should have enabled set to false"
                    : $"expected 1 {path}.strategy block, found {strategies.Count}");
                continue;
            }

            var (strategyName, strategyBody) = strategies[0];
            var query = Text(check, "query") ?? "";
            var window = Text(check, "query_window");
            var instant = window == "instant";
            var queryWindow = TimeSpan.FromMinutes(1);
            if (window is not null && !instant && !GoDuration.TryParse(window, out queryWindow))
                errors.Add($"{path}.query_window must have time.Duration format or be \"instant\", found \"{window}\"");
            if (query.Length == 0 && strategyName != "fixed-value")
                errors.Add($"{path}.strategy[{strategyName}] strategy requires a query");
            var strategyConfig = strategyBody.ToDictionary(kv => kv.Key, kv => Scalar(kv.Value), StringComparer.Ordinal);
            if (instant && strategyName == "threshold" && strategyConfig.GetValueOrDefault("within_bounds_trigger") != "1")
                errors.Add($"{path}.strategy[threshold].within_bounds_trigger must be set to 1 when {path}.query_window = \"instant\"");
            var onError = Text(check, "on_error") ?? "";
            if (onError is not ("" or "ignore" or "fail"))
                errors.Add($"invalid value for on_error in check {name}: only fail and ignore are allowed");

            checks.Add(new PolicyCheckSpec
            {
                Name = name,
                Group = Text(check, "group") ?? "",
                Source = Text(check, "source") ?? "nomad-apm",
                Query = query,
                QueryWindow = queryWindow,
                QueryInstant = instant,
                QueryWindowOffset = Duration(check, "query_window_offset", errors, path) ?? TimeSpan.Zero,
                Schedule = Schedule(check.GetValueOrDefault("schedule"), $"check {name}.schedule", errors),
                StrategyName = strategyName,
                StrategyConfig = strategyConfig,
                OnError = onError,
            });
        }

        return checks;
    }

    private static PolicyTarget TargetOf(IReadOnlyDictionary<string, JsonElement> body, Dictionary<string, string> nomadTarget, string type, List<string> errors)
    {
        var blocks = Blocks(body.GetValueOrDefault("target"), "scaling.policy.target", errors).ToList();
        if (blocks.Count > 1) errors.Add($"expected 1 scaling.policy.target block, found {blocks.Count}");
        var name = type == PolicyTypes.Horizontal ? "nomad-target" : "";
        if (blocks.Count > 0)
        {
            name = blocks[0].Name;
            foreach (var (key, value) in blocks[0].Body) nomadTarget[key] = Scalar(value);
        }

        if (name.Length == 0) errors.Add("Target is nil");
        return new PolicyTarget(name, nomadTarget);
    }

    private static PolicySchedule? Schedule(JsonElement element, string prefix, List<string> errors)
    {
        if (element.ValueKind == JsonValueKind.Undefined) return null;
        var body = element.ValueKind == JsonValueKind.Array && element.GetArrayLength() > 0 ? element[0] : element;
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{prefix}: must be a block");
            return null;
        }

        string? Get(string key) => body.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        TimeSpan? duration = null;
        if (Get("duration") is { } d)
        {
            if (!GoDuration.TryParse(d, out var parsed))
            {
                errors.Add($"{prefix}: duration must have time.Duration format, found \"{d}\"");
                return null;
            }

            duration = parsed;
        }

        if (PolicySchedule.TryCreate(Get("start"), Get("end"), duration, out var schedule, out var error)) return schedule;
        errors.Add($"{prefix}: {error}");
        return null;
    }

    /// <summary>Reads HCL blocks as Nomad stores them: a list of single-key maps, each key a label and each value a
    /// list holding the block's body.</summary>
    private static IEnumerable<(string Name, IReadOnlyDictionary<string, JsonElement> Body)> Blocks(JsonElement element, string path, List<string> errors)
    {
        if (element.ValueKind == JsonValueKind.Undefined || element.ValueKind == JsonValueKind.Null) yield break;
        if (element.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"block {path} must be a list of labelled blocks");
            yield break;
        }

        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"block {path} must have a label");
                continue;
            }

            foreach (var labelled in item.EnumerateObject())
            {
                var body = labelled.Value.ValueKind == JsonValueKind.Array && labelled.Value.GetArrayLength() > 0
                    ? labelled.Value[0]
                    : labelled.Value;
                if (body.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"block {path} must have a label");
                    continue;
                }

                yield return (labelled.Name, body.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));
            }
        }
    }

    private static TimeSpan? Duration(IReadOnlyDictionary<string, JsonElement> body, string key, List<string> errors, string path = "scaling.policy")
    {
        if (!body.TryGetValue(key, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}.{key} must be string, found {GoType(value)}");
            return null;
        }

        var text = value.GetString()!;
        if (GoDuration.TryParse(text, out var duration)) return duration;
        errors.Add($"{path}.{key} must have time.Duration format, found \"{text}\"");
        return null;
    }

    private static string? Text(IReadOnlyDictionary<string, JsonElement> body, string key)
        => body.TryGetValue(key, out var value) ? Scalar(value) : null;

    /// <summary>A JSON scalar as plugin config text. Whole numbers stay plain integers (upstream printed 1000000 as
    /// "1e+06", which integer parsers reject).</summary>
    internal static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Number => value.GetDouble() is var d && Math.Abs(d) < 9e15 && d == Math.Floor(d)
            ? ((long)d).ToString(CultureInfo.InvariantCulture)
            : value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    private static string GoType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "float64",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "[]interface {}",
        JsonValueKind.Object => "map[string]interface {}",
        _ => "<nil>",
    };
}

/// <summary>Agent-level policy defaults.</summary>
/// <param name="Cooldown">policy.default_cooldown.</param>
/// <param name="EvaluationInterval">policy.default_evaluation_interval.</param>
internal sealed record PolicyDefaults(TimeSpan Cooldown, TimeSpan EvaluationInterval);
