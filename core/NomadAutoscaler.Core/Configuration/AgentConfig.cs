using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Configuration;

/// <summary>The agent's effective configuration: defaults, then each <c>-config</c> path in order, then CLI flags.</summary>
public sealed record AgentConfig
{
    public string LogLevel { get; init; } = "info";
    public bool LogJson { get; init; }
    public bool LogIncludeLocation { get; init; }
    public bool EnableDebug { get; init; }
    public required string PluginDir { get; init; }
    public HttpConfig Http { get; init; } = new();
    public NomadConfig Nomad { get; init; } = new();
    public PolicyConfig Policy { get; init; } = new();
    public PolicyEvalConfig PolicyEval { get; init; } = new();
    public TelemetryConfig Telemetry { get; init; } = new();
    public HighAvailabilityConfig HighAvailability { get; init; } = new();
    public IReadOnlyList<PluginConfig> Apms { get; init; } = [];
    public IReadOnlyList<PluginConfig> Strategies { get; init; } = [];
    public IReadOnlyList<PluginConfig> Targets { get; init; } = [];

    /// <summary>Every plugin block with its kind.</summary>
    public IEnumerable<(PluginKind Kind, PluginConfig Plugin)> AllPlugins =>
        Apms.Select(p => (PluginKind.Apm, p))
            .Concat(Strategies.Select(p => (PluginKind.Strategy, p)))
            .Concat(Targets.Select(p => (PluginKind.Target, p)));
}

public sealed record HttpConfig
{
    public string BindAddress { get; init; } = "127.0.0.1";
    public int BindPort { get; init; } = 8080;
}

/// <summary>How the agent and its plugins reach Nomad. Secrets here are redacted by <see cref="ConfigRedaction"/>.</summary>
public sealed record NomadConfig
{
    public string Address { get; init; } = "http://127.0.0.1:4646";
    public string Region { get; init; } = "";
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    public string Token { get; init; } = "";
    public string HttpAuth { get; init; } = "";
    public string CaCert { get; init; } = "";
    public string CaPath { get; init; } = "";
    public string ClientCert { get; init; } = "";
    public string ClientKey { get; init; } = "";
    public string TlsServerName { get; init; } = "";
    public bool SkipVerify { get; init; }
    public TimeSpan BlockQueryWaitTime { get; init; } = TimeSpan.FromMinutes(5);
}

public sealed record PolicyConfig
{
    public string Dir { get; init; } = "";
    public TimeSpan DefaultCooldown { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan DefaultEvaluationInterval { get; init; } = TimeSpan.FromSeconds(10);
    public bool FileSourceEnabled { get; init; } = true;
    public bool NomadSourceEnabled { get; init; } = true;
}

public sealed record PolicyEvalConfig
{
    public IReadOnlyDictionary<string, int> Workers { get; init; } = new Dictionary<string, int> { ["cluster"] = 10, ["horizontal"] = 10 };
}

public sealed record TelemetryConfig
{
    public bool DisableHostname { get; init; }
    public bool EnableHostnameLabel { get; init; }
    public TimeSpan CollectionInterval { get; init; } = TimeSpan.FromSeconds(1);
    public bool PrometheusMetrics { get; init; }
    public TimeSpan PrometheusRetentionTime { get; init; }
    public string StatsiteAddress { get; init; } = "";
    public string StatsdAddress { get; init; } = "";
    public string DogstatsdAddress { get; init; } = "";
    public IReadOnlyList<string> DogstatsdTags { get; init; } = [];
    public IReadOnlyDictionary<string, string> Circonus { get; init; } = new Dictionary<string, string>();
}

public sealed record HighAvailabilityConfig
{
    public bool Enabled { get; init; }
    public string LockNamespace { get; init; } = "default";
    public string LockPath { get; init; } = "nomad-autoscaler/lock";
    public TimeSpan LockTtl { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan LockDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>An <c>apm</c>, <c>strategy</c> or <c>target</c> block.</summary>
public sealed record PluginConfig(string Name, string Driver, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Config)
{
    /// <summary>Where the block was defined (file:line), for messages; empty for built-in defaults.</summary>
    public string DefinedAt { get; init; } = "";

    /// <summary>True for <c>mode = "in-process"</c>: load the .NET plugin into the agent instead of launching it.</summary>
    public bool InProcess { get; init; }
}
