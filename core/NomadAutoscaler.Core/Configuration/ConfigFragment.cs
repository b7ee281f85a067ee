namespace NomadAutoscaler.Core.Configuration;

/// <summary>What one config file (or the CLI flags) sets. Null means "not set", so a later file can set any value,
/// including a bool back to false (upstream could only switch bools on).</summary>
public sealed class ConfigFragment
{
    public string? LogLevel { get; set; }
    public bool? LogJson { get; set; }
    public bool? LogIncludeLocation { get; set; }
    public bool? EnableDebug { get; set; }
    public string? PluginDir { get; set; }
    public string? HttpBindAddress { get; set; }
    public int? HttpBindPort { get; set; }

    public string? NomadAddress { get; set; }
    public string? NomadRegion { get; set; }
    public IReadOnlyList<string>? NomadNamespaces { get; set; }
    public string? NomadToken { get; set; }
    public string? NomadHttpAuth { get; set; }
    public string? NomadCaCert { get; set; }
    public string? NomadCaPath { get; set; }
    public string? NomadClientCert { get; set; }
    public string? NomadClientKey { get; set; }
    public string? NomadTlsServerName { get; set; }
    public bool? NomadSkipVerify { get; set; }
    public TimeSpan? NomadBlockQueryWaitTime { get; set; }

    public string? PolicyDir { get; set; }
    public TimeSpan? PolicyDefaultCooldown { get; set; }
    public TimeSpan? PolicyDefaultEvaluationInterval { get; set; }
    public bool? FileSourceEnabled { get; set; }
    public bool? NomadSourceEnabled { get; set; }

    public Dictionary<string, int> Workers { get; } = new(StringComparer.Ordinal);

    public bool? TelemetryDisableHostname { get; set; }
    public bool? TelemetryEnableHostnameLabel { get; set; }
    public TimeSpan? TelemetryCollectionInterval { get; set; }
    public bool? TelemetryPrometheusMetrics { get; set; }
    public TimeSpan? TelemetryPrometheusRetentionTime { get; set; }
    public string? TelemetryStatsiteAddress { get; set; }
    public string? TelemetryStatsdAddress { get; set; }
    public string? TelemetryDogstatsdAddress { get; set; }
    public IReadOnlyList<string>? TelemetryDogstatsdTags { get; set; }
    public Dictionary<string, string> TelemetryCirconus { get; } = new(StringComparer.Ordinal);

    public bool? HaEnabled { get; set; }
    public string? HaLockNamespace { get; set; }
    public string? HaLockPath { get; set; }
    public TimeSpan? HaLockTtl { get; set; }
    public TimeSpan? HaLockDelay { get; set; }

    public List<PluginConfig> Apms { get; } = [];
    public List<PluginConfig> Strategies { get; } = [];
    public List<PluginConfig> Targets { get; } = [];

    /// <summary>Applies <paramref name="later"/> on top of <paramref name="config"/> with upstream's merge rules
    /// (bools fixed to replace when set).</summary>
    public static AgentConfig Apply(AgentConfig config, ConfigFragment later)
    {
        var nomad = config.Nomad;
        var policy = config.Policy;
        var eval = config.PolicyEval;
        var telemetry = config.Telemetry;
        var ha = config.HighAvailability;
        var workers = new Dictionary<string, int>(eval.Workers, StringComparer.Ordinal);
        foreach (var (key, value) in later.Workers) workers[key] = value;
        var circonus = new Dictionary<string, string>(telemetry.Circonus, StringComparer.Ordinal);
        foreach (var (key, value) in later.TelemetryCirconus) circonus[key] = value;

        return config with
        {
            LogLevel = NonEmpty(later.LogLevel) ?? config.LogLevel,
            LogJson = later.LogJson ?? config.LogJson,
            LogIncludeLocation = later.LogIncludeLocation ?? config.LogIncludeLocation,
            EnableDebug = later.EnableDebug ?? config.EnableDebug,
            PluginDir = NonEmpty(later.PluginDir) ?? config.PluginDir,
            Http = new HttpConfig
            {
                BindAddress = NonEmpty(later.HttpBindAddress) ?? config.Http.BindAddress,
                // Zero means "not set" (as upstream); a negative value is kept so validation can name it.
                BindPort = later.HttpBindPort is { } port && port != 0 ? port : config.Http.BindPort,
            },
            Nomad = nomad with
            {
                Address = NonEmpty(later.NomadAddress) ?? nomad.Address,
                Region = NonEmpty(later.NomadRegion) ?? nomad.Region,
                Namespaces = later.NomadNamespaces is { } ns ? NormaliseNamespaces(ns) : nomad.Namespaces,
                Token = NonEmpty(later.NomadToken) ?? nomad.Token,
                HttpAuth = NonEmpty(later.NomadHttpAuth) ?? nomad.HttpAuth,
                CaCert = NonEmpty(later.NomadCaCert) ?? nomad.CaCert,
                CaPath = NonEmpty(later.NomadCaPath) ?? nomad.CaPath,
                ClientCert = NonEmpty(later.NomadClientCert) ?? nomad.ClientCert,
                ClientKey = NonEmpty(later.NomadClientKey) ?? nomad.ClientKey,
                TlsServerName = NonEmpty(later.NomadTlsServerName) ?? nomad.TlsServerName,
                SkipVerify = later.NomadSkipVerify ?? nomad.SkipVerify,
                BlockQueryWaitTime = Positive(later.NomadBlockQueryWaitTime) ?? nomad.BlockQueryWaitTime,
            },
            Policy = policy with
            {
                Dir = NonEmpty(later.PolicyDir) ?? policy.Dir,
                DefaultCooldown = Positive(later.PolicyDefaultCooldown) ?? policy.DefaultCooldown,
                DefaultEvaluationInterval = Positive(later.PolicyDefaultEvaluationInterval) ?? policy.DefaultEvaluationInterval,
                FileSourceEnabled = later.FileSourceEnabled ?? policy.FileSourceEnabled,
                NomadSourceEnabled = later.NomadSourceEnabled ?? policy.NomadSourceEnabled,
            },
            PolicyEval = eval with
            {
                Workers = workers,
            },
            Telemetry = telemetry with
            {
                DisableHostname = later.TelemetryDisableHostname ?? telemetry.DisableHostname,
                EnableHostnameLabel = later.TelemetryEnableHostnameLabel ?? telemetry.EnableHostnameLabel,
                CollectionInterval = Positive(later.TelemetryCollectionInterval) ?? telemetry.CollectionInterval,
                PrometheusMetrics = later.TelemetryPrometheusMetrics ?? telemetry.PrometheusMetrics,
                PrometheusRetentionTime = Positive(later.TelemetryPrometheusRetentionTime) ?? telemetry.PrometheusRetentionTime,
                StatsiteAddress = NonEmpty(later.TelemetryStatsiteAddress) ?? telemetry.StatsiteAddress,
                StatsdAddress = NonEmpty(later.TelemetryStatsdAddress) ?? telemetry.StatsdAddress,
                DogstatsdAddress = NonEmpty(later.TelemetryDogstatsdAddress) ?? telemetry.DogstatsdAddress,
                DogstatsdTags = later.TelemetryDogstatsdTags ?? telemetry.DogstatsdTags,
                Circonus = circonus,
            },
            HighAvailability = ha with
            {
                Enabled = later.HaEnabled ?? ha.Enabled,
                LockNamespace = NonEmpty(later.HaLockNamespace) ?? ha.LockNamespace,
                LockPath = NonEmpty(later.HaLockPath) ?? ha.LockPath,
                LockTtl = Positive(later.HaLockTtl) ?? ha.LockTtl,
                LockDelay = Positive(later.HaLockDelay) ?? ha.LockDelay,
            },
            Apms = MergePlugins(config.Apms, later.Apms),
            Strategies = MergePlugins(config.Strategies, later.Strategies),
            Targets = MergePlugins(config.Targets, later.Targets),
        };
    }

    /// <summary>Plugin blocks of <paramref name="later"/> that name a different driver than the block of the same label
    /// already in <paramref name="config"/>. Upstream kept the first driver and dropped the later one without a word;
    /// here that is refused, naming both blocks.</summary>
    public static IReadOnlyList<string> DriverChanges(AgentConfig config, ConfigFragment later)
    {
        var problems = new List<string>();
        void Check(string kind, IReadOnlyList<PluginConfig> existing, IReadOnlyList<PluginConfig> blocks)
        {
            foreach (var block in blocks)
            {
                if (existing.FirstOrDefault(p => p.Name == block.Name) is not { } current || current.Driver == block.Driver) continue;
                var where = current.DefinedAt.Length > 0 ? $"defined at {current.DefinedAt}" : "built in";
                problems.Add($"{kind}[{block.Name}] -> driver \"{block.Driver}\" at {block.DefinedAt} differs from driver \"{current.Driver}\" of the block {where}; "
                    + "a block's driver cannot change, give the new block another name");
            }
        }

        Check("apm", config.Apms, later.Apms);
        Check("strategy", config.Strategies, later.Strategies);
        Check("target", config.Targets, later.Targets);
        return problems;
    }

    /// <summary>Trimmed, empties and duplicates dropped, order kept; <c>*</c> anywhere means all namespaces.</summary>
    public static IReadOnlyList<string> NormaliseNamespaces(IEnumerable<string> namespaces)
    {
        var list = namespaces.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return list.Contains("*") ? ["*"] : list;
    }

    /// <summary>Blocks merge by label: a later block's non-empty args/config replace; the driver of an existing label
    /// never changes (a different one is refused first, <see cref="DriverChanges"/>); new labels are appended.</summary>
    private static List<PluginConfig> MergePlugins(IReadOnlyList<PluginConfig> existing, IReadOnlyList<PluginConfig> later)
    {
        var result = existing.ToList();
        foreach (var block in later)
        {
            var index = result.FindIndex(p => p.Name == block.Name);
            if (index < 0)
            {
                result.Add(block);
                continue;
            }

            var current = result[index];
            result[index] = current with
            {
                Args = block.Args.Count > 0 ? block.Args : current.Args,
                Config = block.Config.Count > 0 ? block.Config : current.Config,
                DefinedAt = block.DefinedAt,
            };
        }

        return result;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static TimeSpan? Positive(TimeSpan? value) => value is { } v && v > TimeSpan.Zero ? v : null;
}
