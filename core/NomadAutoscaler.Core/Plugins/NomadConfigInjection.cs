using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Adds the agent's Nomad settings to a plugin's config, as upstream's agent does, unless <c>nomad_config_inherit</c>
/// is present and not true. Only keys that are absent or empty get a value, and only non-empty values are added.</summary>
internal static class NomadConfigInjection
{
    public const string InheritKey = "nomad_config_inherit";

    public static IReadOnlyDictionary<string, string> Apply(
        IReadOnlyDictionary<string, string> config, NomadSettings? nomad, string pluginName, ILogger logger)
    {
        if (nomad is null) return config;
        if (config.TryGetValue(InheritKey, out var inheritText))
        {
            if (!GoValues.TryParseBool(inheritText, out var inherit))
            {
                logger.Hclog(LogLevel.Error, "failed to parse nomad_config_inherit; Nomad settings are not passed to the plugin",
                    ("plugin_name", pluginName), ("value", inheritText));
                return config;
            }

            if (!inherit) return config;
        }

        var result = new Dictionary<string, string>(config, StringComparer.Ordinal);
        void Set(string key, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            if (result.TryGetValue(key, out var existing) && !string.IsNullOrEmpty(existing)) return;
            result[key] = value;
        }

        Set("nomad_address", nomad.Address);
        Set("nomad_region", nomad.Region);
        Set("nomad_namespace", nomad.Namespace);
        Set("nomad_token", nomad.Token);
        Set("nomad_http-auth", nomad.HttpAuth);
        Set("nomad_ca-cert", nomad.CaCert);
        Set("nomad_ca-path", nomad.CaPath);
        Set("nomad_client-cert", nomad.ClientCert);
        Set("nomad_client-key", nomad.ClientKey);
        Set("nomad_tls-server-name", nomad.TlsServerName);
        Set("nomad_skip-verify", nomad.SkipVerify ? "true" : null);
        Set("nomad_block-query-wait-time", nomad.BlockQueryWaitTime > TimeSpan.Zero ? GoDuration.Format(nomad.BlockQueryWaitTime) : null);
        return result;
    }
}
