using System.Globalization;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Agent.Cli;

/// <summary>
/// The flags of <c>nomad-autoscaler agent</c> (upstream's set plus <c>-dev</c>) and their mapping onto a
/// <see cref="ConfigFragment"/>. Empty strings and zero numbers mean "not set", as upstream; a bool given explicitly
/// (<c>-log-json=false</c>) is applied, so a flag can switch off what a file switched on.
/// </summary>
internal static class AgentFlags
{
    private static readonly string[] CirconusKeys =
    [
        "api-token", "api-app", "api-url", "submission-interval", "submission-url", "check-id", "check-force-metric-activation",
        "check-instance-id", "check-search-tag", "check-tags", "check-display-name", "broker-id", "broker-select-tag",
    ];

    private static readonly string[] DasFlags =
    [
        "das-evaluate-after", "das-metrics-preload-threshold", "das-namespace-label", "das-job-label", "das-group-label",
        "das-task-label", "das-cpu-metric", "das-memory-metric",
    ];

    private static readonly string[] BrokerFlags = ["policy-eval-ack-timeout", "policy-eval-delivery-limit"];

    /// <summary>Every flag, grouped as the help text shows them.</summary>
    public static IReadOnlyList<(string Section, IReadOnlyList<FlagSpec> Flags)> Sections { get; } =
    [
        ("General Options", [
            new("config", FlagKind.Repeatable, "<path>", "A config file or a directory of config files (*.hcl, *.json, loaded in name order). Can be given several times; later ones win."),
            new("dev", FlagKind.Bool, "", "Run on an embedded simulated Nomad cluster with demo load and policies, for trying the autoscaler out."),
            new("log-level", FlagKind.String, "<level>", "Log level: trace, debug, info, warn, error or off. Defaults to info."),
            new("log-json", FlagKind.Bool, "", "Write logs as JSON lines."),
            new("log-include-location", FlagKind.Bool, "", "Add the source location to each log line."),
            new("enable-debug", FlagKind.Bool, "", "Serve runtime, GC, thread-pool and thread state as JSON under /debug/ on the HTTP API."),
            new("plugin-dir", FlagKind.String, "<path>", "The directory holding plugin executables. Defaults to <cwd>/plugins."),
        ]),
        ("HTTP API Options", [
            new("http-bind-address", FlagKind.String, "<addr>", "The address the HTTP API listens on. Defaults to 127.0.0.1."),
            new("http-bind-port", FlagKind.String, "<port>", "The port the HTTP API listens on. Defaults to 8080."),
        ]),
        ("Nomad Options", [
            new("nomad-address", FlagKind.String, "<addr>", "The Nomad HTTP API address. Overrides NOMAD_ADDR. Defaults to http://127.0.0.1:4646."),
            new("nomad-region", FlagKind.String, "<region>", "The Nomad region to talk to. Overrides NOMAD_REGION."),
            new("nomad-namespace", FlagKind.Repeatable, "<namespace>", "A Nomad namespace to read job policies from; give it several times for several namespaces, or \"*\" for all. Overrides NOMAD_NAMESPACE."),
            new("nomad-token", FlagKind.String, "<token>", "The Nomad ACL token. Overrides NOMAD_TOKEN."),
            new("nomad-http-auth", FlagKind.String, "<user[:pass]>", "HTTP basic auth for Nomad. Overrides NOMAD_HTTP_AUTH."),
            new("nomad-ca-cert", FlagKind.String, "<path>", "A PEM CA certificate to verify Nomad's TLS certificate. Overrides NOMAD_CACERT."),
            new("nomad-ca-path", FlagKind.String, "<path>", "A directory of PEM CA certificates. Overrides NOMAD_CAPATH."),
            new("nomad-client-cert", FlagKind.String, "<path>", "A PEM client certificate for TLS. Overrides NOMAD_CLIENT_CERT."),
            new("nomad-client-key", FlagKind.String, "<path>", "The PEM key of the client certificate. Overrides NOMAD_CLIENT_KEY."),
            new("nomad-tls-server-name", FlagKind.String, "<name>", "The server name to verify in Nomad's certificate. Overrides NOMAD_TLS_SERVER_NAME."),
            new("nomad-skip-verify", FlagKind.Bool, "", "Do not verify Nomad's TLS certificate. Overrides NOMAD_SKIP_VERIFY."),
            new("nomad-block-query-wait-time", FlagKind.String, "<dur>", "How long a blocking query to Nomad may wait. Defaults to 5m."),
        ]),
        ("Policy Options", [
            new("policy-dir", FlagKind.String, "<path>", "The directory of scaling policy files. Changes are picked up automatically."),
            new("policy-default-cooldown", FlagKind.String, "<dur>", "Cooldown for policies that set none. Defaults to 5m."),
            new("policy-default-evaluation-interval", FlagKind.String, "<dur>", "Evaluation interval for policies that set none. Defaults to 10s."),
            new("policy-source-disable-file", FlagKind.Bool, "", "Do not read policies from policy files."),
            new("policy-source-disable-nomad", FlagKind.Bool, "", "Do not read policies from Nomad job specs."),
        ]),
        ("Policy Evaluation Options", [
            new("policy-eval-ack-timeout", FlagKind.String, "<dur>", "Upstream's evaluation broker setting (unused since upstream 0.4.8); an error here."),
            new("policy-eval-delivery-limit", FlagKind.String, "<num>", "Upstream's evaluation broker setting (unused since upstream 0.4.8); an error here."),
            new("policy-eval-workers", FlagKind.String, "<key:value>", "Scaling slots per policy type, e.g. cluster:10,horizontal:10. Defaults to 10 each."),
        ]),
        ("Telemetry Options", [
            new("telemetry-disable-hostname", FlagKind.Bool, "", "Do not put the host name into gauge names."),
            new("telemetry-enable-hostname-label", FlagKind.Bool, "", "Add the host name as a label to every metric."),
            new("telemetry-collection-interval", FlagKind.String, "<dur>", "How often gauges are collected. Defaults to 1s."),
            new("telemetry-prometheus-metrics", FlagKind.Bool, "", "Serve Prometheus metrics at /v1/metrics?format=prometheus."),
            new("telemetry-prometheus-retention-time", FlagKind.String, "<dur>", "How long Prometheus metrics are kept; setting it also enables them."),
            new("telemetry-statsite-address", FlagKind.String, "<addr>", "A statsite server to send metrics to."),
            new("telemetry-statsd-address", FlagKind.String, "<addr>", "A statsd server to send metrics to."),
            new("telemetry-dogstatsd-address", FlagKind.String, "<addr>", "A DogStatsD server to send metrics to."),
            new("telemetry-dogstatsd-tags", FlagKind.Repeatable, "<tag>", "A tag added to every DogStatsD metric; can be given several times."),
            .. CirconusKeys.Select(k => new FlagSpec("telemetry-circonus-" + k, FlagKind.String, "<value>", $"Circonus setting {k.Replace('-', '_')}.")),
        ]),
        ("High Availability Options", [
            new("high-availability-enabled", FlagKind.Bool, "", "Elect a leader among several agents through a Nomad variable lock."),
            new("high-availability-lock-namespace", FlagKind.String, "<namespace>", "The namespace of the lock variable. Defaults to default."),
            new("high-availability-lock-path", FlagKind.String, "<path>", "The path of the lock variable. Defaults to nomad-autoscaler/lock."),
            new("high-availability-lock-ttl", FlagKind.String, "<dur>", "The lock's TTL. Defaults to 60s."),
            new("high-availability-lock-delay", FlagKind.String, "<dur>", "How long a released lock stays unavailable. Defaults to 30s."),
        ]),
        ("Dynamic Application Sizing Options (Nomad Autoscaler Enterprise only; each one is an error here)", [
            .. DasFlags.Select(f => new FlagSpec(f, FlagKind.String, "<value>", "Enterprise only.")),
        ]),
    ];

    public static IReadOnlyList<FlagSpec> All { get; } = [.. Sections.SelectMany(s => s.Flags)];

    /// <summary>Parses <c>agent</c>'s arguments. Throws <see cref="FlagException"/> with the text to show.</summary>
    public static AgentCommandLine Parse(IReadOnlyList<string> args, out bool helpRequested)
    {
        var parsed = GoFlags.Parse(args, All);
        helpRequested = parsed.HelpRequested;
        if (parsed.Positional.Count > 0)
            throw new FlagException($"unexpected argument \"{parsed.Positional[0]}\"; the agent takes only flags");

        foreach (var das in DasFlags)
        {
            if (parsed.Last(das) is { Length: > 0 }) throw new FlagException($"-{das} is only supported in Nomad Autoscaler Enterprise");
        }

        foreach (var broker in BrokerFlags)
        {
            if (parsed.Last(broker) is { Length: > 0 }) throw new FlagException(ConfigDecoder.BrokerKeyRefusal("-" + broker));
        }

        var f = new ConfigFragment
        {
            LogLevel = Str(parsed, "log-level"),
            LogJson = Bool(parsed, "log-json"),
            LogIncludeLocation = Bool(parsed, "log-include-location"),
            EnableDebug = Bool(parsed, "enable-debug"),
            PluginDir = Str(parsed, "plugin-dir"),
            HttpBindAddress = Str(parsed, "http-bind-address"),
            NomadAddress = Str(parsed, "nomad-address"),
            NomadRegion = Str(parsed, "nomad-region"),
            NomadToken = Str(parsed, "nomad-token"),
            NomadHttpAuth = Str(parsed, "nomad-http-auth"),
            NomadCaCert = Str(parsed, "nomad-ca-cert"),
            NomadCaPath = Str(parsed, "nomad-ca-path"),
            NomadClientCert = Str(parsed, "nomad-client-cert"),
            NomadClientKey = Str(parsed, "nomad-client-key"),
            NomadTlsServerName = Str(parsed, "nomad-tls-server-name"),
            NomadSkipVerify = Bool(parsed, "nomad-skip-verify"),
            NomadBlockQueryWaitTime = Duration(parsed, "nomad-block-query-wait-time"),
            PolicyDir = Str(parsed, "policy-dir"),
            PolicyDefaultCooldown = Duration(parsed, "policy-default-cooldown"),
            PolicyDefaultEvaluationInterval = Duration(parsed, "policy-default-evaluation-interval"),
            TelemetryDisableHostname = Bool(parsed, "telemetry-disable-hostname"),
            TelemetryEnableHostnameLabel = Bool(parsed, "telemetry-enable-hostname-label"),
            TelemetryCollectionInterval = Duration(parsed, "telemetry-collection-interval"),
            TelemetryPrometheusMetrics = Bool(parsed, "telemetry-prometheus-metrics"),
            TelemetryPrometheusRetentionTime = Duration(parsed, "telemetry-prometheus-retention-time"),
            TelemetryStatsiteAddress = Str(parsed, "telemetry-statsite-address"),
            TelemetryStatsdAddress = Str(parsed, "telemetry-statsd-address"),
            TelemetryDogstatsdAddress = Str(parsed, "telemetry-dogstatsd-address"),
            HaEnabled = Bool(parsed, "high-availability-enabled"),
            HaLockNamespace = Str(parsed, "high-availability-lock-namespace"),
            HaLockPath = Str(parsed, "high-availability-lock-path"),
            HaLockTtl = Duration(parsed, "high-availability-lock-ttl"),
            HaLockDelay = Duration(parsed, "high-availability-lock-delay"),
        };

        if (Int(parsed, "http-bind-port") is { } port && port != 0) f.HttpBindPort = (int)Math.Clamp(port, int.MinValue, int.MaxValue);

        var namespaces = parsed.All("nomad-namespace").Where(n => n.Length > 0).ToList();
        if (namespaces.Count > 0) f.NomadNamespaces = namespaces;
        var tags = parsed.All("telemetry-dogstatsd-tags").Where(t => t.Length > 0).ToList();
        if (tags.Count > 0) f.TelemetryDogstatsdTags = tags;

        // Upstream adds `source "file" { enabled = false }`; only a true flag disables, a false one leaves the files' say.
        if (Bool(parsed, "policy-source-disable-file") == true) f.FileSourceEnabled = false;
        if (Bool(parsed, "policy-source-disable-nomad") == true) f.NomadSourceEnabled = false;

        foreach (var key in CirconusKeys)
        {
            if (Str(parsed, "telemetry-circonus-" + key) is { } value) f.TelemetryCirconus["circonus_" + key.Replace('-', '_')] = value;
        }

        foreach (var (key, count) in Workers(parsed)) f.Workers[key] = count;

        var configs = parsed.All("config").Where(c => c.Length > 0).ToList();
        return new AgentCommandLine(configs, f, Bool(parsed, "dev") == true);
    }

    private static string? Str(ParsedFlags parsed, string name) => parsed.Last(name) is { Length: > 0 } value ? value : null;

    private static bool? Bool(ParsedFlags parsed, string name) => parsed.Last(name) is { } value ? value == "true" : null;

    private static TimeSpan? Duration(ParsedFlags parsed, string name)
    {
        var text = parsed.Last(name);
        if (text is null) return null;
        if (!GoDuration.TryParse(text, out var value)) throw new FlagException($"invalid value \"{text}\" for flag -{name}: parse error");
        return value == TimeSpan.Zero ? null : value;
    }

    private static long? Int(ParsedFlags parsed, string name)
    {
        var text = parsed.Last(name);
        if (text is null) return null;
        if (TryParseGoInt(text, out var value)) return value;
        throw new FlagException($"invalid value \"{text}\" for flag -{name}: parse error");
    }

    /// <summary>strconv.ParseInt(s, 0, 64): decimal, or 0x/0o/0b prefixed, with an optional sign.</summary>
    private static bool TryParseGoInt(string text, out long value)
    {
        value = 0;
        var negative = text.StartsWith('-');
        var body = text.TrimStart('+', '-');
        if (body.Length == 0 || text.Length - body.Length > 1) return false;
        try
        {
            long magnitude;
            if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) magnitude = Convert.ToInt64(body[2..], 16);
            else if (body.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) magnitude = Convert.ToInt64(body[2..], 8);
            else if (body.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) magnitude = Convert.ToInt64(body[2..], 2);
            else if (!long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude)) return false;
            value = negative ? -magnitude : magnitude;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary><c>k:v,k:v</c> with upstream's error texts.</summary>
    private static IEnumerable<(string Key, int Count)> Workers(ParsedFlags parsed)
    {
        var result = new List<(string, int)>();
        foreach (var text in parsed.All("policy-eval-workers"))
        {
            if (text.Length == 0) continue;
            foreach (var item in text.Split(','))
            {
                var parts = item.Split(':');
                if (parts.Length != 2)
                    throw new FlagException($"invalid value \"{text}\" for flag -policy-eval-workers: \"{item}\" should be in <key>:<value> format");
                if (!int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
                    throw new FlagException($"invalid value \"{text}\" for flag -policy-eval-workers: \"{parts[1]}\" is not a number");
                result.Add((parts[0], count));
            }
        }

        return result;
    }
}
