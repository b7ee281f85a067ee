using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Configuration;

/// <summary>Decodes one agent config file (HCL or JSON syntax) into a <see cref="ConfigFragment"/>, collecting
/// every problem in the file as a diagnostic.</summary>
public static class ConfigDecoder
{
    private static readonly string[] DasKeys =
        ["evaluate_after", "metrics_preload_threshold", "namespace_label", "job_label", "group_label", "task_label", "cpu_metric", "memory_metric"];

    private static readonly string[] CirconusKeys =
    [
        "api_token", "api_app", "api_url", "submission_interval", "submission_url", "check_id", "check_force_metric_activation",
        "check_instance_id", "check_search_tag", "check_tags", "check_display_name", "broker_id", "broker_select_tag",
    ];

    private static readonly string[] TopKeys = ["log_level", "log_json", "log_include_location", "enable_debug", "plugin_dir"];
    private static readonly string[] HttpKeys = ["bind_address", "bind_port"];

    private static readonly string[] NomadKeys =
    [
        "address", "region", "namespace", "token", "http_auth", "ca_cert", "ca_path", "client_cert", "client_key",
        "tls_server_name", "skip_verify", "block_query_wait_time",
    ];

    private static readonly string[] PolicyKeys = ["dir", "default_cooldown", "default_evaluation_interval"];
    private static readonly string[] PolicySourceKeys = ["enabled"];

    /// <summary>Upstream's broker settings: decoded only to be refused, since nothing here (nor upstream since 0.4.8)
    /// queues evaluations for them to tune.</summary>
    private static readonly string[] PolicyEvalBrokerKeys = ["ack_timeout", "delivery_limit"];

    private static readonly string[] PolicyEvalKeys = [.. PolicyEvalBrokerKeys, "workers"];
    private static readonly string[] HaKeys = ["enabled", "lock_namespace", "lock_path", "lock_ttl", "lock_delay"];

    private static readonly string[] TelemetryKeys =
    [
        "disable_hostname", "enable_hostname_label", "collection_interval", "prometheus_metrics", "prometheus_retention_time",
        "statsite_address", "statsd_address", "dogstatsd_address", "dogstatsd_tags", .. CirconusKeys.Select(k => "circonus_" + k),
    ];

    private static readonly string[] PluginKeys = ["driver", "args", "config", "mode"];

    /// <summary>Every attribute the decoder knows, as a dotted path (<c>policy.source.enabled</c>; the labelled plugin
    /// blocks as <c>apm.driver</c> and so on). docs/configuration.md lists each one with its status; a test keeps the
    /// two the same.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } =
    [
        .. TopKeys,
        .. HttpKeys.Select(k => "http." + k),
        .. NomadKeys.Select(k => "nomad." + k),
        .. PolicyKeys.Select(k => "policy." + k),
        .. PolicySourceKeys.Select(k => "policy.source." + k),
        .. PolicyEvalKeys.Select(k => "policy_eval." + k),
        .. TelemetryKeys.Select(k => "telemetry." + k),
        .. HaKeys.Select(k => "high_availability." + k),
        .. DasKeys.Select(k => "dynamic_application_sizing." + k),
        .. PluginKeys.Select(k => "apm." + k),
        .. PluginKeys.Select(k => "strategy." + k),
        .. PluginKeys.Select(k => "target." + k),
    ];

    /// <summary>Parses and decodes a file. Diagnostics carry file:line:col.</summary>
    public static ConfigFragment DecodeFile(string path, HclDiagnostics diagnostics)
    {
        var file = HclParser.ParseFile(path);
        diagnostics.AddRange(file.Diagnostics);
        if (file.HasErrors) return new ConfigFragment();
        return Decode(file.Body, diagnostics);
    }

    /// <summary>Decodes a parsed body.</summary>
    public static ConfigFragment Decode(HclBody body, HclDiagnostics diagnostics)
    {
        var eval = HclEvalContext.WithStandardFunctions();
        var fragment = new ConfigFragment();
        var top = HclReader.Open(body, diagnostics, eval, "", TopKeys,
            [
                new HclBlockSchema("http"), new HclBlockSchema("nomad"), new HclBlockSchema("policy"), new HclBlockSchema("policy_eval"),
                new HclBlockSchema("telemetry"), new HclBlockSchema("high_availability"), new HclBlockSchema("dynamic_application_sizing"),
                new HclBlockSchema("apm", "name"), new HclBlockSchema("strategy", "name"), new HclBlockSchema("target", "name"),
            ]);

        fragment.LogLevel = top.String("log_level");
        fragment.LogJson = top.Bool("log_json");
        fragment.LogIncludeLocation = top.Bool("log_include_location");
        fragment.EnableDebug = top.Bool("enable_debug");
        fragment.PluginDir = top.String("plugin_dir");

        foreach (var block in Single(top, "http"))
        {
            var http = HclReader.Open(block.Body, diagnostics, eval, "http", HttpKeys);
            fragment.HttpBindAddress = http.String("bind_address") ?? fragment.HttpBindAddress;
            if (http.Int("bind_port") is { } port)
            {
                if (port is < 0 or > 65535) http.Error(http.RangeOf("bind_port"), "Invalid port", $"http.bind_port must be between 0 and 65535; got {port}.");
                else fragment.HttpBindPort = (int)port;
            }
        }

        foreach (var block in Single(top, "nomad")) DecodeNomad(block, diagnostics, eval, fragment);
        foreach (var block in Single(top, "policy")) DecodePolicy(block, diagnostics, eval, fragment);
        foreach (var block in Single(top, "policy_eval")) DecodePolicyEval(block, diagnostics, eval, fragment);
        foreach (var block in Single(top, "telemetry")) DecodeTelemetry(block, diagnostics, eval, fragment);

        foreach (var block in Single(top, "high_availability"))
        {
            var ha = HclReader.Open(block.Body, diagnostics, eval, "high_availability", HaKeys, required: ["enabled"]);
            fragment.HaEnabled = ha.Bool("enabled");
            fragment.HaLockNamespace = ha.String("lock_namespace");
            fragment.HaLockPath = ha.String("lock_path");
            fragment.HaLockTtl = ha.Duration("lock_ttl");
            fragment.HaLockDelay = ha.Duration("lock_delay");
        }

        foreach (var block in Single(top, "dynamic_application_sizing"))
        {
            var das = HclReader.Open(block.Body, diagnostics, eval, "dynamic_application_sizing", DasKeys);
            foreach (var key in DasKeys)
            {
                if (das.String(key) is { Length: > 0 })
                    das.Error(das.RangeOf(key), "Enterprise feature", $"dynamic_application_sizing -> {key} is only supported in Nomad Autoscaler Enterprise");
            }
        }

        DecodePlugins(top, "apm", fragment.Apms, diagnostics, eval);
        DecodePlugins(top, "strategy", fragment.Strategies, diagnostics, eval);
        DecodePlugins(top, "target", fragment.Targets, diagnostics, eval);
        return fragment;
    }

    /// <summary>Why an evaluation-broker setting (file key or flag) is refused; shared so both say the same.</summary>
    public static string BrokerKeyRefusal(string what)
        => $"{what} is not supported: it tuned upstream's evaluation broker, which upstream removed in 0.4.8 and this agent never had (each policy runs one evaluation at a time); remove it";

    /// <summary>At most one block of a singleton type (as gohcl decodes a pointer field); later ones are errors.</summary>
    internal static IReadOnlyList<HclBlock> Single(HclReader reader, string type)
    {
        var blocks = reader.Blocks(type);
        foreach (var duplicate in blocks.Skip(1))
        {
            reader.Error(duplicate.DefRange, $"Duplicate {type} block",
                $"Only one {type} block is allowed. Another was defined at {blocks[0].DefRange}.");
        }

        return blocks.Count == 0 ? [] : [blocks[0]];
    }

    private static void DecodeNomad(HclBlock block, HclDiagnostics diagnostics, HclEvalContext eval, ConfigFragment fragment)
    {
        var nomad = HclReader.Open(block.Body, diagnostics, eval, "nomad", NomadKeys);
        fragment.NomadAddress = nomad.String("address") ?? fragment.NomadAddress;
        fragment.NomadRegion = nomad.String("region") ?? fragment.NomadRegion;
        fragment.NomadNamespaces = nomad.StringList("namespace") ?? fragment.NomadNamespaces;
        fragment.NomadToken = nomad.String("token") ?? fragment.NomadToken;
        fragment.NomadHttpAuth = nomad.String("http_auth") ?? fragment.NomadHttpAuth;
        fragment.NomadCaCert = nomad.String("ca_cert") ?? fragment.NomadCaCert;
        fragment.NomadCaPath = nomad.String("ca_path") ?? fragment.NomadCaPath;
        fragment.NomadClientCert = nomad.String("client_cert") ?? fragment.NomadClientCert;
        fragment.NomadClientKey = nomad.String("client_key") ?? fragment.NomadClientKey;
        fragment.NomadTlsServerName = nomad.String("tls_server_name") ?? fragment.NomadTlsServerName;
        fragment.NomadSkipVerify = nomad.Bool("skip_verify") ?? fragment.NomadSkipVerify;
        fragment.NomadBlockQueryWaitTime = nomad.Duration("block_query_wait_time") ?? fragment.NomadBlockQueryWaitTime;
    }

    private static void DecodePolicy(HclBlock block, HclDiagnostics diagnostics, HclEvalContext eval, ConfigFragment fragment)
    {
        var policy = HclReader.Open(block.Body, diagnostics, eval, "policy", PolicyKeys, [new HclBlockSchema("source", "name")]);
        fragment.PolicyDir = policy.String("dir") ?? fragment.PolicyDir;
        fragment.PolicyDefaultCooldown = policy.Duration("default_cooldown") ?? fragment.PolicyDefaultCooldown;
        fragment.PolicyDefaultEvaluationInterval = policy.Duration("default_evaluation_interval") ?? fragment.PolicyDefaultEvaluationInterval;
        foreach (var source in policy.Blocks("source"))
        {
            var name = source.Labels[0];
            var reader = HclReader.Open(source.Body, diagnostics, eval, $"policy.source[{name}]", PolicySourceKeys);
            var enabled = reader.Bool("enabled") ?? true;
            switch (name)
            {
                case "file":
                    fragment.FileSourceEnabled = enabled;
                    break;
                case "nomad":
                    fragment.NomadSourceEnabled = enabled;
                    break;
                default:
                    diagnostics.AddError(source.LabelRanges[0], "Invalid policy source", $"source[{name}] -> invalid source \"{name}\"; the sources are \"file\" and \"nomad\"");
                    break;
            }
        }
    }

    private static void DecodePolicyEval(HclBlock block, HclDiagnostics diagnostics, HclEvalContext eval, ConfigFragment fragment)
    {
        var pe = HclReader.Open(block.Body, diagnostics, eval, "policy_eval", PolicyEvalKeys);
        foreach (var key in PolicyEvalBrokerKeys.Where(pe.Has))
            pe.Error(pe.RangeOf(key), "Unsupported setting", BrokerKeyRefusal("policy_eval -> " + key));

        if (pe.StringMap("workers") is { } workers)
        {
            foreach (var (key, text) in workers)
            {
                if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var count))
                    pe.Error(pe.RangeOf("workers"), "Invalid value", $"policy_workers -> number of workers for \"{key}\" must be a whole number; got \"{text}\"");
                else if (count < 0)
                    pe.Error(pe.RangeOf("workers"), "Invalid value", $"policy_workers -> number of workers for \"{key}\" must be positive");
                else fragment.Workers[key] = count;
            }
        }
    }

    private static void DecodeTelemetry(HclBlock block, HclDiagnostics diagnostics, HclEvalContext eval, ConfigFragment fragment)
    {
        var t = HclReader.Open(block.Body, diagnostics, eval, "telemetry", TelemetryKeys);
        fragment.TelemetryDisableHostname = t.Bool("disable_hostname") ?? fragment.TelemetryDisableHostname;
        fragment.TelemetryEnableHostnameLabel = t.Bool("enable_hostname_label") ?? fragment.TelemetryEnableHostnameLabel;
        fragment.TelemetryCollectionInterval = t.Duration("collection_interval") ?? fragment.TelemetryCollectionInterval;
        fragment.TelemetryPrometheusMetrics = t.Bool("prometheus_metrics") ?? fragment.TelemetryPrometheusMetrics;
        fragment.TelemetryPrometheusRetentionTime = t.Duration("prometheus_retention_time") ?? fragment.TelemetryPrometheusRetentionTime;
        fragment.TelemetryStatsiteAddress = t.String("statsite_address") ?? fragment.TelemetryStatsiteAddress;
        fragment.TelemetryStatsdAddress = t.String("statsd_address") ?? fragment.TelemetryStatsdAddress;
        fragment.TelemetryDogstatsdAddress = t.String("dogstatsd_address") ?? fragment.TelemetryDogstatsdAddress;
        fragment.TelemetryDogstatsdTags = t.StringList("dogstatsd_tags") ?? fragment.TelemetryDogstatsdTags;
        foreach (var key in CirconusKeys)
        {
            if (t.String("circonus_" + key) is { } value) fragment.TelemetryCirconus["circonus_" + key] = value;
        }
    }

    private static void DecodePlugins(HclReader top, string type, List<PluginConfig> into, HclDiagnostics diagnostics, HclEvalContext eval)
    {
        foreach (var block in top.Blocks(type))
        {
            var name = block.Labels[0];
            var reader = HclReader.Open(block.Body, diagnostics, eval, $"{type}[{name}]", PluginKeys, required: ["driver"]);
            var driver = reader.String("driver");
            var args = reader.StringList("args") ?? [];
            var config = reader.StringMap("config") ?? new Dictionary<string, string>();
            var mode = reader.String("mode");
            if (mode is not (null or "external" or "in-process"))
                reader.Error(reader.RangeOf("mode"), "Invalid plugin mode", $"{type}[{name}].mode must be \"external\" or \"in-process\"; got \"{mode}\".");

            if (driver is null) continue;
            var at = block.DefRange;
            into.Add(new PluginConfig(name, driver, args, config) { InProcess = mode == "in-process", DefinedAt = $"{at.FileName}:{at.Start.Line}" });
        }
    }
}
