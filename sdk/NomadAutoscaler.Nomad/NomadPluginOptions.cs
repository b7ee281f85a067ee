using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad;

/// <summary>A base for plugin options classes that talk to Nomad: binds the <c>nomad_*</c> keys the agent injects
/// into every plugin's config. Derive your options from it and call <see cref="ToClientOptions"/>.</summary>
public class NomadPluginOptions
{
    /// <summary><c>nomad_address</c>.</summary>
    [ConfigKey(NomadConfigKeys.Address)]
    public string? NomadAddress { get; set; }

    /// <summary><c>nomad_region</c>.</summary>
    [ConfigKey(NomadConfigKeys.Region)]
    public string? NomadRegion { get; set; }

    /// <summary><c>nomad_namespace</c>.</summary>
    [ConfigKey(NomadConfigKeys.Namespace)]
    public string? NomadNamespace { get; set; }

    /// <summary><c>nomad_token</c> (a secret).</summary>
    [ConfigKey(NomadConfigKeys.Token)]
    public string? NomadToken { get; set; }

    /// <summary><c>nomad_http-auth</c> (the password part is a secret).</summary>
    [ConfigKey(NomadConfigKeys.HttpAuth)]
    public string? NomadHttpAuth { get; set; }

    /// <summary><c>nomad_ca-cert</c>.</summary>
    [ConfigKey(NomadConfigKeys.CaCert)]
    public string? NomadCaCert { get; set; }

    /// <summary><c>nomad_ca-path</c>.</summary>
    [ConfigKey(NomadConfigKeys.CaPath)]
    public string? NomadCaPath { get; set; }

    /// <summary><c>nomad_client-cert</c>.</summary>
    [ConfigKey(NomadConfigKeys.ClientCert)]
    public string? NomadClientCert { get; set; }

    /// <summary><c>nomad_client-key</c>.</summary>
    [ConfigKey(NomadConfigKeys.ClientKey)]
    public string? NomadClientKey { get; set; }

    /// <summary><c>nomad_tls-server-name</c>.</summary>
    [ConfigKey(NomadConfigKeys.TlsServerName)]
    public string? NomadTlsServerName { get; set; }

    /// <summary><c>nomad_skip-verify</c> (kept as text so that a bad value is reported with its key).</summary>
    [ConfigKey(NomadConfigKeys.SkipVerify)]
    public string? NomadSkipVerify { get; set; }

    /// <summary><c>nomad_block-query-wait-time</c> (Go duration).</summary>
    [ConfigKey(NomadConfigKeys.BlockQueryWaitTime)]
    public string? NomadBlockQueryWaitTime { get; set; }

    /// <summary>The Nomad client settings, with <c>NOMAD_*</c> environment fallbacks.</summary>
    /// <param name="environment">Reads an environment variable; defaults to the process environment.</param>
    /// <exception cref="PluginConfigException">A value cannot be parsed.</exception>
    public NomadClientOptions ToClientOptions(Func<string, string?>? environment = null)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Put(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) map[key] = value;
        }

        Put(NomadConfigKeys.Address, NomadAddress);
        Put(NomadConfigKeys.Region, NomadRegion);
        Put(NomadConfigKeys.Namespace, NomadNamespace);
        Put(NomadConfigKeys.Token, NomadToken);
        Put(NomadConfigKeys.HttpAuth, NomadHttpAuth);
        Put(NomadConfigKeys.CaCert, NomadCaCert);
        Put(NomadConfigKeys.CaPath, NomadCaPath);
        Put(NomadConfigKeys.ClientCert, NomadClientCert);
        Put(NomadConfigKeys.ClientKey, NomadClientKey);
        Put(NomadConfigKeys.TlsServerName, NomadTlsServerName);
        Put(NomadConfigKeys.SkipVerify, NomadSkipVerify);
        Put(NomadConfigKeys.BlockQueryWaitTime, NomadBlockQueryWaitTime);
        return NomadClientOptions.FromConfig(map, environment);
    }
}
