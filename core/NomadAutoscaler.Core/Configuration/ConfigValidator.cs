using System.Globalization;

namespace NomadAutoscaler.Core.Configuration;

/// <summary>Checks the merged configuration for problems no single file can show (a flag or environment variable may
/// have supplied the bad value). Every problem is returned, none stops the check.</summary>
public static class ConfigValidator
{
    private static readonly string[] LogLevels = ["trace", "debug", "info", "warn", "error", "off"];

    public static IReadOnlyList<string> Validate(AgentConfig config)
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(config.Nomad.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https" or "unix"))
            problems.Add($"nomad.address must be an absolute http(s) URL such as \"http://127.0.0.1:4646\"; got \"{config.Nomad.Address}\"");

        if (config.Http.BindAddress.Length == 0) problems.Add("http.bind_address must not be empty");
        if (config.Http.BindPort is < 0 or > 65535)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"http.bind_port must be between 0 and 65535; got {config.Http.BindPort}"));

        foreach (var (key, count) in config.PolicyEval.Workers.Where(w => w.Value < 0))
            problems.Add($"policy_workers -> number of workers for \"{key}\" must be positive");

        if (config.HighAvailability.Enabled)
        {
            if (config.HighAvailability.LockPath.Length == 0) problems.Add("high_availability.lock_path must not be empty");
            if (config.HighAvailability.LockTtl <= TimeSpan.Zero) problems.Add("high_availability.lock_ttl must be greater than zero");
        }

        var telemetry = config.Telemetry;
        foreach (var key in telemetry.Circonus.Keys.Order(StringComparer.Ordinal))
            problems.Add($"telemetry.{key} is not supported: this agent has no Circonus sink; send metrics through statsd_address, dogstatsd_address, statsite_address or Prometheus instead");
        foreach (var (key, sinkAddress) in new[] { ("statsd_address", telemetry.StatsdAddress), ("statsite_address", telemetry.StatsiteAddress), ("dogstatsd_address", telemetry.DogstatsdAddress) })
        {
            if (sinkAddress.Length > 0 && Telemetry.BufferedLineSink.ParseAddress(sinkAddress) is null)
                problems.Add($"telemetry.{key} must be host:port such as \"127.0.0.1:8125\"; got \"{sinkAddress}\"");
        }

        foreach (var (kind, plugin) in config.AllPlugins)
        {
            if (plugin.Driver.Length == 0)
                problems.Add($"{KindName(kind)}[{plugin.Name}] -> driver must not be empty");
        }

        return problems;
    }

    /// <summary>Upstream accepts any log level and silently uses info; this tells the operator instead.</summary>
    public static string? LogLevelWarning(string logLevel)
    {
        var normalised = logLevel.Trim().ToLowerInvariant();
        return LogLevels.Contains(normalised)
            ? null
            : $"log_level \"{logLevel}\" is not one of trace, debug, info, warn, error, off; using info";
    }

    private static string KindName(NomadAutoscaler.Plugins.Sdk.PluginKind kind) => kind.ToString().ToLowerInvariant();
}
