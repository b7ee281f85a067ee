using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Policy;

/// <summary>
/// Decodes policy files (HCL or JSON syntax; several <c>scaling</c> blocks per file) and validates every policy with
/// upstream's messages plus two additions: a <c>policy</c> block and a <c>target</c> block are required
/// (upstream crashes without them). A problem in one <c>scaling</c> block spoils only that policy; syntax errors and
/// unknown top-level items spoil the file.
/// </summary>
public static class FilePolicyDecoder
{
    /// <summary>Summary line of every semantic validation diagnostic; the detail holds upstream's message.</summary>
    public const string InvalidPolicySummary = "Invalid scaling policy";

    private static readonly HclBodySchema TopSchema = new(blocks: [new HclBlockSchema("scaling", "name")]);

    private static readonly string[] ScalingKeys = ["enabled", "type", "min", "max"];
    private static readonly string[] PolicyKeys = ["cooldown", "cooldown_on_scale_up", "evaluation_interval", "on_check_error"];
    private static readonly string[] CheckKeys = ["source", "query", "query_window", "query_window_offset", "group", "on_error"];
    private static readonly string[] ScheduleKeys = ["start", "end", "duration"];

    /// <summary>Every attribute of a policy file as a dotted path; <c>strategy</c> and <c>target</c> are listed as
    /// blocks, since any key in them is the plugin's. docs/configuration.md lists each with its status; a test keeps
    /// the two the same.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } =
    [
        .. ScalingKeys.Select(k => "scaling." + k),
        .. PolicyKeys.Select(k => "scaling.policy." + k),
        .. ScheduleKeys.Select(k => "scaling.policy.schedule." + k),
        .. CheckKeys.Select(k => "scaling.policy.check." + k),
        .. ScheduleKeys.Select(k => "scaling.policy.check.schedule." + k),
        "scaling.policy.check.strategy",
        "scaling.policy.target",
    ];

    /// <summary>Reads and decodes one file.</summary>
    public static FilePolicyFile DecodeFile(string path, FilePolicyDefaults defaults)
    {
        HclFile file;
        try
        {
            file = HclParser.ParseFile(path);
        }
        catch (IOException ex)
        {
            return new FilePolicyFile(path, [HclDiagnostic.Error(null, "Failed to read file", $"{path}: {ex.Message}")], []);
        }
        catch (UnauthorizedAccessException ex)
        {
            return new FilePolicyFile(path, [HclDiagnostic.Error(null, "Failed to read file", $"{path}: {ex.Message}")], []);
        }

        return Decode(file, defaults);
    }

    /// <summary>Decodes a parsed file. Ids are derived from the absolute file path and the policy name.</summary>
    public static FilePolicyFile Decode(HclFile file, FilePolicyDefaults defaults)
    {
        var fileDiagnostics = new HclDiagnostics();
        fileDiagnostics.AddRange(file.Diagnostics);
        if (file.HasErrors) return new FilePolicyFile(file.FileName, [.. fileDiagnostics], []);

        var content = file.Body.Content(TopSchema, fileDiagnostics);
        var results = new List<FilePolicyResult>();
        var seen = new Dictionary<string, HclBlock>(StringComparer.Ordinal);
        foreach (var block in content.Blocks)
        {
            var name = block.Labels[0];
            var diagnostics = new HclDiagnostics();
            ScalingPolicy? policy = null;
            if (seen.TryGetValue(name, out var first))
            {
                diagnostics.AddError(block.DefRange, "Duplicate scaling policy",
                    $"A scaling policy named \"{name}\" was already defined at {first.DefRange}. Policy names must be unique within a file.");
            }
            else
            {
                seen[name] = block;
                policy = DecodePolicy(block, file.FileName, defaults, diagnostics);
            }

            results.Add(new FilePolicyResult(name, diagnostics.HasErrors ? null : policy, [.. diagnostics]));
        }

        return new FilePolicyFile(file.FileName, [.. fileDiagnostics], results);
    }

    /// <summary>True when the body has top-level <c>scaling</c> blocks, i.e. is a policy file rather than agent config.</summary>
    public static bool IsPolicyFile(HclBody body)
    {
        var scratch = new HclDiagnostics();
        return body.PartialContent(TopSchema, scratch, out _).Blocks.Count > 0;
    }

    /// <summary>The stable id of a file policy: a name-based UUID of the absolute path and the policy name, so it stays
    /// the same across reloads and restarts (upstream used a random UUID per process).</summary>
    public static string PolicyId(string filePath, string name)
    {
        var key = Path.GetFullPath(filePath) + "/" + name;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5-style marker: name based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return FormatUuid(bytes);
    }

    private static ScalingPolicy? DecodePolicy(HclBlock block, string filePath, FilePolicyDefaults defaults, HclDiagnostics diagnostics)
    {
        var name = block.Labels[0];
        var eval = HclEvalContext.WithStandardFunctions();
        var path = $"scaling[{name}]";
        var scaling = HclReader.Open(block.Body, diagnostics, eval, path, ScalingKeys,
            [new HclBlockSchema("policy")], required: ["max"]);

        var enabled = scaling.Bool("enabled") ?? false;
        var type = scaling.Has("type") ? scaling.String("type") ?? "" : PolicyTypes.Cluster;
        var min = scaling.Int("min") ?? 0;
        var max = scaling.Int("max") ?? 0;

        var policyBlocks = ConfigDecoder.Single(scaling, "policy");
        if (policyBlocks.Count == 0)
        {
            diagnostics.AddError(block.DefRange, "Missing policy block",
                $"scaling \"{name}\" has no policy block; add policy {{ ... }} with at least one check and a target.");
            return null;
        }

        var policyBlock = policyBlocks[0];
        var doc = HclReader.Open(policyBlock.Body, diagnostics, eval, path + ".policy", PolicyKeys,
            [new HclBlockSchema("check", "name"), new HclBlockSchema("target", "name"), new HclBlockSchema("schedule")]);
        var cooldown = doc.Duration("cooldown");
        var cooldownOnScaleUp = doc.Duration("cooldown_on_scale_up");
        var evaluationInterval = doc.Duration("evaluation_interval");
        var onCheckError = doc.String("on_check_error") ?? "";
        var schedule = DecodeSchedule(doc, path + ".policy", "policy.schedule: ", eval, diagnostics);

        var checks = new List<PolicyCheckSpec>();
        var checkRanges = new List<(HclBlock Block, HclRange? QueryRange, HclRange? OnErrorRange, HclBlock? Strategy)>();
        foreach (var checkBlock in doc.Blocks("check"))
        {
            var (check, strategyBlock, queryRange, onErrorRange) = DecodeCheck(checkBlock, path + ".policy", eval, diagnostics);
            if (check is null) continue;
            checks.Add(check);
            checkRanges.Add((checkBlock, queryRange, onErrorRange, strategyBlock));
        }

        PolicyTarget? target = null;
        var targetBlocks = ConfigDecoder.Single(doc, "target");
        if (targetBlocks.Count == 1)
        {
            var targetBlock = targetBlocks[0];
            var config = HclReader.FreeForm(targetBlock.Body, diagnostics, eval, $"target[{targetBlock.Labels[0]}]");
            target = new PolicyTarget(targetBlock.Labels[0], config);
        }

        if (diagnostics.HasErrors) return null;

        var resolvedCooldown = cooldown is { } c && c > TimeSpan.Zero ? c : defaults.DefaultCooldown;
        var policy = new ScalingPolicy
        {
            Id = PolicyId(filePath, name),
            Name = name,
            Source = "file",
            FilePath = filePath,
            Type = type,
            Enabled = enabled,
            Min = min,
            Max = max,
            Cooldown = resolvedCooldown,
            CooldownOnScaleUp = cooldownOnScaleUp is { } up && up > TimeSpan.Zero ? up : resolvedCooldown,
            EvaluationInterval = evaluationInterval is { } i && i > TimeSpan.Zero ? i : defaults.DefaultEvaluationInterval,
            OnCheckError = onCheckError,
            Schedule = schedule,
            Checks = checks,
            Target = target ?? new PolicyTarget("", new Dictionary<string, string>()),
        };

        // Disabled policies are only decoded: upstream's own advice for a policy without checks is to disable it.
        if (enabled)
        {
            Validate(policy, scaling, doc, policyBlock, target is null, checkRanges, defaults, diagnostics);
            if (diagnostics.HasErrors) return null;
        }

        return policy with { Revision = Revision(policy) };
    }

    private static (PolicyCheckSpec? Check, HclBlock? Strategy, HclRange? QueryRange, HclRange? OnErrorRange) DecodeCheck(
        HclBlock checkBlock, string parentPath, HclEvalContext eval, HclDiagnostics diagnostics)
    {
        var checkName = checkBlock.Labels[0];
        var path = $"{parentPath}.check[{checkName}]";
        var reader = HclReader.Open(checkBlock.Body, diagnostics, eval, path, CheckKeys,
            [new HclBlockSchema("strategy", "name"), new HclBlockSchema("schedule")]);

        var windowText = reader.String("query_window");
        var instant = windowText == "instant";
        var window = TimeSpan.FromMinutes(1);
        if (windowText is not null && !instant)
        {
            if (NomadAutoscaler.Plugins.Sdk.GoDuration.TryParse(windowText, out var parsed)) window = parsed;
            else
            {
                reader.Error(reader.Content.GetAttribute("query_window")!, "Invalid duration",
                    $"\"{path}.query_window\" must be a duration such as \"30s\", \"5m\" or \"1h30m\", or \"instant\"; got \"{windowText}\".");
            }
        }

        var offset = reader.Duration("query_window_offset") ?? TimeSpan.Zero;
        var schedule = DecodeSchedule(reader, path, $"check {checkName}.schedule: ", eval, diagnostics);

        HclBlock? strategyBlock = null;
        var strategies = ConfigDecoder.Single(reader, "strategy");
        IReadOnlyDictionary<string, string> strategyConfig = new Dictionary<string, string>();
        if (strategies.Count == 1)
        {
            strategyBlock = strategies[0];
            strategyConfig = HclReader.FreeForm(strategyBlock.Body, diagnostics, eval, $"strategy[{strategyBlock.Labels[0]}]");
        }

        var check = new PolicyCheckSpec
        {
            Name = checkName,
            Group = reader.String("group") ?? "",
            Source = reader.String("source") is { Length: > 0 } source ? source : "nomad-apm",
            Query = reader.String("query") ?? "",
            QueryWindow = instant ? TimeSpan.Zero : window,
            QueryWindowOffset = offset,
            QueryInstant = instant,
            Schedule = schedule,
            StrategyName = strategyBlock?.Labels[0] ?? "",
            StrategyConfig = strategyConfig,
            OnError = reader.String("on_error") ?? "",
        };
        return (check, strategyBlock, reader.RangeOf("query"), reader.RangeOf("on_error"));
    }

    private static PolicySchedule? DecodeSchedule(HclReader parent, string parentPath, string messagePrefix, HclEvalContext eval, HclDiagnostics diagnostics)
    {
        var blocks = ConfigDecoder.Single(parent, "schedule");
        if (blocks.Count == 0) return null;
        var block = blocks[0];
        var reader = HclReader.Open(block.Body, diagnostics, eval, parentPath + ".schedule", ScheduleKeys, required: ["start"]);
        var start = reader.String("start");
        var end = reader.String("end");
        var durationText = reader.String("duration");
        TimeSpan? duration = null;
        if (durationText is not null)
        {
            if (NomadAutoscaler.Plugins.Sdk.GoDuration.TryParse(durationText, out var parsed)) duration = parsed;
            else
            {
                reader.Error(reader.Content.GetAttribute("duration")!, InvalidPolicySummary,
                    $"{messagePrefix}duration must have time.Duration format, found \"{durationText}\"");
                return null;
            }
        }

        if (start is null) return null;
        if (PolicySchedule.TryCreate(start, end, duration, out var schedule, out var error)) return schedule;
        diagnostics.AddError(block.DefRange, InvalidPolicySummary, messagePrefix + error);
        return null;
    }

    private static void Validate(
        ScalingPolicy policy, HclReader scaling, HclReader doc, HclBlock policyBlock, bool targetMissing,
        List<(HclBlock Block, HclRange? QueryRange, HclRange? OnErrorRange, HclBlock? Strategy)> checks,
        FilePolicyDefaults defaults, HclDiagnostics diagnostics)
    {
        void Fail(HclRange? range, string message) => diagnostics.AddError(range, InvalidPolicySummary, message);

        if (policy.Type.Length == 0) Fail(scaling.RangeOf("type"), "policy has not type defined");
        // Upstream's file source takes any type but runs nothing for the others (a policy that never scales); the
        // Nomad source's refusal is used for files too.
        else if (policy.Type is not (PolicyTypes.Cluster or PolicyTypes.Horizontal)) Fail(scaling.RangeOf("type"), $"policy type \"{policy.Type}\" not supported");
        if (policy.OnCheckError is not ("" or "ignore" or "fail"))
            Fail(doc.RangeOf("on_check_error"), "invalid value for on_check_error: only fail and ignore are allowed");
        if (policy.Min < 0) Fail(scaling.RangeOf("min"), "policy Min can't be negative");
        if (policy.Max < 0) Fail(scaling.RangeOf("max"), "policy Max can't be negative");
        if (policy.Min > policy.Max) Fail(scaling.RangeOf("min") ?? scaling.RangeOf("max"), "policy Min must not be greater Max");
        if (checks.Count == 0)
            Fail(policyBlock.DefRange, "empty checks, this policy won't execute any verification or scaling and should have enabled set to false");
        if (targetMissing)
        {
            diagnostics.AddError(policyBlock.DefRange, "Missing target block",
                $"scaling \"{policy.Name}\" has no target block; add one such as target \"nomad-target\" {{ ... }} naming the target plugin.");
        }

        var nodePoolTarget = NomadApmQueries.IsNodePoolTarget(policy.Target.Config);
        for (var i = 0; i < checks.Count; i++)
        {
            var check = policy.Checks[i];
            var (block, queryRange, onErrorRange, strategy) = checks[i];
            if (strategy is null)
            {
                Fail(block.DefRange, $"invalid check {check.Name}: missing strategy value");
                continue;
            }

            if (check.OnError is not ("" or "ignore" or "fail"))
                Fail(onErrorRange, $"invalid value for on_error in check {check.Name}: only fail and ignore are allowed");
            if (check.StrategyName.StartsWith("app-sizing", StringComparison.Ordinal)
                && policy.Type is PolicyTypes.Cluster or PolicyTypes.Horizontal)
            {
                Fail(strategy.DefRange, $"invalid strategy in check {check.Name}: plugin {check.StrategyName} can only be used with Dynamic Application Sizing");
            }

            if (nodePoolTarget && defaults.NomadApmNames.Contains(check.Source) && check.Query.Length > 0 && !NomadApmQueries.IsShort(check.Query))
                Fail(queryRange, $"check \"{check.Name}\": query must be in short format (<operation>_<metric>) for Nomad APM node pool targets");

            if (check.QueryInstant && check.StrategyName == "threshold"
                && !(check.StrategyConfig.TryGetValue("within_bounds_trigger", out var trigger) && trigger == "1"))
            {
                Fail(strategy.DefRange, $"check \"{check.Name}\": \"within_bounds_trigger\" must be set to 1 when query_window = \"instant\"");
            }
        }

    }

    /// <summary>A digest of everything that affects evaluation, so an unchanged file keeps its revision across reloads.</summary>
    internal static string Revision(ScalingPolicy policy)
    {
        var text = new StringBuilder();
        void Add(object? value) => text.Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\u001f');
        void AddMap(IReadOnlyDictionary<string, string> map)
        {
            foreach (var (key, value) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Add(key);
                Add(value);
            }

            text.Append('\u001e');
        }

        void AddSchedule(PolicySchedule? schedule)
        {
            Add(schedule?.StartText);
            Add(schedule?.EndText);
            Add(schedule?.Duration?.Ticks);
        }

        Add(policy.Name);
        Add(policy.Type);
        Add(policy.Enabled);
        Add(policy.Min);
        Add(policy.Max);
        Add(policy.Cooldown.Ticks);
        Add(policy.CooldownOnScaleUp.Ticks);
        Add(policy.EvaluationInterval.Ticks);
        Add(policy.OnCheckError);
        AddSchedule(policy.Schedule);
        foreach (var check in policy.Checks)
        {
            Add(check.Name);
            Add(check.Group);
            Add(check.Source);
            Add(check.Query);
            Add(check.QueryWindow.Ticks);
            Add(check.QueryWindowOffset.Ticks);
            Add(check.QueryInstant);
            AddSchedule(check.Schedule);
            Add(check.StrategyName);
            AddMap(check.StrategyConfig);
            Add(check.OnError);
        }

        Add(policy.Target.Name);
        AddMap(policy.Target.Config);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 12));
    }

    private static string FormatUuid(byte[] bytes)
    {
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
