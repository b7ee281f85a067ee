using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Agent.Cli;

/// <summary>
/// <c>nomad-autoscaler validate [-json] PATH...</c>: checks agent configuration and policy files as the agent would
/// read them and prints every diagnostic with its source line. Exit 0 when all is valid, 1 otherwise.
/// </summary>
internal static class ValidateCommand
{
    private static readonly FlagSpec[] Flags = [new("json", FlagKind.Bool, "", "Print the decoded result as JSON.")];

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        ParsedFlags parsed;
        try
        {
            parsed = GoFlags.Parse(args, Flags);
        }
        catch (FlagException ex)
        {
            stderr.WriteLine(ex.Message);
            stderr.WriteLine(HelpText.ValidateHelpHint);
            return 1;
        }

        if (parsed.HelpRequested)
        {
            stdout.WriteLine(HelpText.Validate);
            return 0;
        }

        if (parsed.Positional.Count == 0)
        {
            stderr.WriteLine("validate needs at least one PATH (a config or policy file or directory)");
            stderr.WriteLine(HelpText.ValidateHelpHint);
            return 1;
        }

        var json = parsed.Last("json") == "true";
        var report = Check(parsed.Positional, environment, workingDirectory);

        // With -json, stdout carries only the JSON document, so problems go to stderr in both modes.
        var human = json ? stderr : stdout;
        foreach (var file in report.Files)
        {
            human.WriteLine($"{file.Path}: {file.Kind}{(file.Valid ? ": ok" : "")}");
            foreach (var diagnostic in file.Diagnostics) stderr.WriteLine(Indent(diagnostic.ToString()));
        }

        foreach (var problem in report.Problems) stderr.WriteLine(problem);
        foreach (var warning in report.Warnings) stderr.WriteLine("warning: " + warning);
        var errors = report.Files.Sum(f => f.Diagnostics.Count(d => d.Severity == HclSeverity.Error)) + report.Problems.Count;
        human.WriteLine(errors == 0
            ? string.Create(CultureInfo.InvariantCulture, $"Validation passed: {report.Files.Count} file(s) checked.")
            : string.Create(CultureInfo.InvariantCulture, $"Validation failed: {errors} problem(s) in {report.Files.Count} file(s)."));

        if (json) stdout.WriteLine(ToJson(report, errors == 0).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return errors == 0 ? 0 : 1;
    }

    /// <summary>Everything <c>validate</c> found.</summary>
    internal sealed record Report(
        IReadOnlyList<FileReport> Files, IReadOnlyList<string> Problems, AgentConfig? Config, IReadOnlyList<FilePolicyFile> PolicyFiles)
    {
        /// <summary>Things that do not stop the agent but probably are not what the operator meant.</summary>
        public IReadOnlyList<string> Warnings { get; init; } = [];
    }

    /// <summary>One file: what it was taken as and its diagnostics.</summary>
    internal sealed record FileReport(string Path, string Kind, IReadOnlyList<HclDiagnostic> Diagnostics)
    {
        public bool Valid => !Diagnostics.Any(d => d.Severity == HclSeverity.Error);
    }

    internal static Report Check(IReadOnlyList<string> paths, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        var problems = new List<string>();
        var parsedFiles = new List<HclFile>();
        foreach (var path in paths)
        {
            foreach (var file in ConfigLoader.ExpandPath(path, problems)) parsedFiles.Add(HclParser.ParseFile(file));
        }

        var files = new List<FileReport>();
        var config = ConfigFragment.Apply(ConfigLoader.Defaults(workingDirectory), ConfigLoader.FromEnvironment(environment));
        var anyConfig = false;
        var policyFiles = new List<HclFile>();
        foreach (var file in parsedFiles)
        {
            if (FilePolicyDecoder.IsPolicyFile(file.Body))
            {
                policyFiles.Add(file);
                continue;
            }

            anyConfig = true;
            var diagnostics = new HclDiagnostics();
            diagnostics.AddRange(file.Diagnostics);
            if (!file.HasErrors)
            {
                var fragment = ConfigDecoder.Decode(file.Body, diagnostics);
                var driverChanges = diagnostics.HasErrors ? [] : ConfigFragment.DriverChanges(config, fragment);
                foreach (var change in driverChanges) diagnostics.AddError(null, "Plugin driver changed", change);
                if (!diagnostics.HasErrors) config = ConfigFragment.Apply(config, fragment);
            }

            files.Add(new FileReport(file.FileName, "agent configuration", [.. diagnostics]));
        }

        if (anyConfig) problems.AddRange(ConfigValidator.Validate(config).Select(p => "invalid configuration: " + p));

        var defaults = FilePolicyDefaults.From(config);
        var decodedPolicies = new List<FilePolicyFile>();
        foreach (var file in policyFiles)
        {
            var decoded = FilePolicyDecoder.Decode(file, defaults);
            decodedPolicies.Add(decoded);
            var names = string.Join(", ", decoded.Policies.Select(p => p.Name));
            files.Add(new FileReport(file.FileName, $"scaling policy file ({names})", [.. decoded.AllDiagnostics]));
        }

        // As the agent would refuse them: the later of two policies driving the same target, in the order given.
        var valid = decodedPolicies.SelectMany(f => f.Policies).Where(p => p.Policy is not null).Select(p => p.Policy!);
        problems.AddRange(PolicyConflicts.Find(valid).Select(c => "conflicting policies: " + c.Error));

        // Keep the user's order in the listing.
        var order = parsedFiles.Select((f, i) => (f.FileName, i)).GroupBy(x => x.FileName).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        files.Sort((a, b) => order[a.Path].CompareTo(order[b.Path]));
        IReadOnlyList<string> warnings = anyConfig && ConfigValidator.LogLevelWarning(config.LogLevel) is { } logLevel ? new[] { logLevel } : [];
        return new Report(files, problems, anyConfig ? config : null, decodedPolicies) { Warnings = warnings };
    }

    internal static JsonObject ToJson(Report report, bool valid)
    {
        var root = new JsonObject
        {
            ["valid"] = valid,
            ["files"] = new JsonArray([.. report.Files.Select(f => (JsonNode)new JsonObject
            {
                ["path"] = f.Path,
                ["kind"] = f.Kind.StartsWith("agent", StringComparison.Ordinal) ? "config" : "policy",
                ["valid"] = f.Valid,
                ["diagnostics"] = new JsonArray([.. f.Diagnostics.Select(d => (JsonNode)new JsonObject
                {
                    ["severity"] = d.Severity.ToString().ToLowerInvariant(),
                    ["summary"] = d.Summary,
                    ["detail"] = d.Detail,
                    ["range"] = d.Subject?.ToString(),
                })]),
            })]),
            ["problems"] = new JsonArray([.. report.Problems.Select(p => (JsonNode)JsonValue.Create(p))]),
            ["warnings"] = new JsonArray([.. report.Warnings.Select(w => (JsonNode)JsonValue.Create(w))]),
        };
        if (report.Config is { } config) root["config"] = ConfigJson(ConfigRedaction.Redact(config));
        root["policies"] = new JsonArray([.. report.PolicyFiles
            .SelectMany(f => f.Policies.Where(p => p.Policy is not null).Select(p => (JsonNode)PolicyJson(p.Policy!)))]);
        return root;
    }

    private static JsonObject PolicyJson(ScalingPolicy policy) => new()
    {
        ["id"] = policy.Id,
        ["name"] = policy.Name,
        ["file"] = policy.FilePath,
        ["type"] = policy.Type,
        ["enabled"] = policy.Enabled,
        ["min"] = policy.Min,
        ["max"] = policy.Max,
        ["cooldown"] = Go(policy.Cooldown),
        ["cooldown_on_scale_up"] = Go(policy.CooldownOnScaleUp),
        ["evaluation_interval"] = Go(policy.EvaluationInterval),
        ["on_check_error"] = policy.OnCheckError,
        ["schedule"] = ScheduleJson(policy.Schedule),
        ["checks"] = new JsonArray([.. policy.Checks.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["group"] = c.Group,
            ["source"] = c.Source,
            ["query"] = c.Query,
            ["query_window"] = c.QueryInstant ? "instant" : Go(c.QueryWindow),
            ["query_window_offset"] = Go(c.QueryWindowOffset),
            ["on_error"] = c.OnError,
            ["schedule"] = ScheduleJson(c.Schedule),
            ["strategy"] = new JsonObject { ["name"] = c.StrategyName, ["config"] = Map(ConfigRedaction.RedactMap(c.StrategyConfig)) },
        })]),
        ["target"] = new JsonObject { ["name"] = policy.Target.Name, ["config"] = Map(ConfigRedaction.RedactMap(policy.Target.Config)) },
    };

    private static JsonObject? ScheduleJson(PolicySchedule? schedule) => schedule is null ? null : new JsonObject
    {
        ["start"] = schedule.StartText,
        ["end"] = schedule.EndText,
        ["duration"] = schedule.Duration is { } d ? Go(d) : null,
    };

    private static JsonObject ConfigJson(AgentConfig c) => new()
    {
        ["log_level"] = c.LogLevel,
        ["log_json"] = c.LogJson,
        ["log_include_location"] = c.LogIncludeLocation,
        ["enable_debug"] = c.EnableDebug,
        ["plugin_dir"] = c.PluginDir,
        ["http"] = new JsonObject { ["bind_address"] = c.Http.BindAddress, ["bind_port"] = c.Http.BindPort },
        ["nomad"] = new JsonObject
        {
            ["address"] = c.Nomad.Address,
            ["region"] = c.Nomad.Region,
            ["namespace"] = Strings(c.Nomad.Namespaces),
            ["token"] = c.Nomad.Token,
            ["http_auth"] = c.Nomad.HttpAuth,
            ["ca_cert"] = c.Nomad.CaCert,
            ["ca_path"] = c.Nomad.CaPath,
            ["client_cert"] = c.Nomad.ClientCert,
            ["client_key"] = c.Nomad.ClientKey,
            ["tls_server_name"] = c.Nomad.TlsServerName,
            ["skip_verify"] = c.Nomad.SkipVerify,
            ["block_query_wait_time"] = Go(c.Nomad.BlockQueryWaitTime),
        },
        ["policy"] = new JsonObject
        {
            ["dir"] = c.Policy.Dir,
            ["default_cooldown"] = Go(c.Policy.DefaultCooldown),
            ["default_evaluation_interval"] = Go(c.Policy.DefaultEvaluationInterval),
            ["source"] = new JsonObject
            {
                ["file"] = new JsonObject { ["enabled"] = c.Policy.FileSourceEnabled },
                ["nomad"] = new JsonObject { ["enabled"] = c.Policy.NomadSourceEnabled },
            },
        },
        ["policy_eval"] = new JsonObject
        {
            ["workers"] = new JsonObject(c.PolicyEval.Workers.OrderBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => KeyValuePair.Create(w.Key, (JsonNode?)JsonValue.Create(w.Value)))),
        },
        ["telemetry"] = TelemetryJson(c.Telemetry),
        ["high_availability"] = new JsonObject
        {
            ["enabled"] = c.HighAvailability.Enabled,
            ["lock_namespace"] = c.HighAvailability.LockNamespace,
            ["lock_path"] = c.HighAvailability.LockPath,
            ["lock_ttl"] = Go(c.HighAvailability.LockTtl),
            ["lock_delay"] = Go(c.HighAvailability.LockDelay),
        },
        ["apm"] = Plugins(c.Apms),
        ["strategy"] = Plugins(c.Strategies),
        ["target"] = Plugins(c.Targets),
    };

    private static JsonObject TelemetryJson(TelemetryConfig t)
    {
        var node = new JsonObject
        {
            ["disable_hostname"] = t.DisableHostname,
            ["enable_hostname_label"] = t.EnableHostnameLabel,
            ["collection_interval"] = Go(t.CollectionInterval),
            ["prometheus_metrics"] = t.PrometheusMetrics,
            ["prometheus_retention_time"] = Go(t.PrometheusRetentionTime),
            ["statsite_address"] = t.StatsiteAddress,
            ["statsd_address"] = t.StatsdAddress,
            ["dogstatsd_address"] = t.DogstatsdAddress,
            ["dogstatsd_tags"] = Strings(t.DogstatsdTags),
        };
        foreach (var (key, value) in t.Circonus.OrderBy(kv => kv.Key, StringComparer.Ordinal)) node[key] = value;
        return node;
    }

    private static JsonObject Plugins(IReadOnlyList<PluginConfig> plugins) => new(plugins.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)new JsonObject
    {
        ["driver"] = p.Driver,
        ["args"] = Strings(p.Args),
        ["config"] = Map(p.Config),
        ["mode"] = p.InProcess ? "in-process" : "external",
    })));

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    private static JsonObject Map(IReadOnlyDictionary<string, string> map) =>
        new(map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));

    private static string Go(TimeSpan duration) => NomadAutoscaler.Plugins.Sdk.GoDuration.Format(duration);

    private static string Indent(string text) => "  " + text.Replace("\n", "\n  ", StringComparison.Ordinal);
}
