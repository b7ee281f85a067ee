using System.Globalization;
using System.Text;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad;

/// <summary>How to reach and authenticate to a Nomad cluster. Build it from the agent-injected <c>nomad_*</c>
/// plugin config keys with <see cref="FromConfig"/>, which also honours the usual <c>NOMAD_*</c> environment variables.</summary>
/// <remarks><see cref="ToString"/> never prints <see cref="Token"/> or the password part of <see cref="HttpAuth"/>.</remarks>
public sealed class NomadClientOptions
{
    /// <summary>The address used when neither config nor <c>NOMAD_ADDR</c> sets one.</summary>
    public const string DefaultAddress = "http://127.0.0.1:4646";

    /// <summary>The longest a blocking query waits when no other value is configured (Nomad caps it at 5 minutes too).</summary>
    public static readonly TimeSpan DefaultBlockQueryWaitTime = TimeSpan.FromMinutes(5);

    /// <summary>The Nomad HTTP API address: <c>http(s)://host:port</c> or <c>unix:///path/to/socket</c>.</summary>
    public string Address { get; init; } = DefaultAddress;

    /// <summary>Region sent with every request; null lets the agent pick its own.</summary>
    public string? Region { get; init; }

    /// <summary>The namespaces to work in. Empty means <c>default</c>; <c>*</c> means all. With several entries the client
    /// sends <c>*</c> and callers filter with <see cref="IsNamespaceIncluded"/>.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>The ACL token, sent as <c>X-Nomad-Token</c>.</summary>
    public string? Token { get; init; }

    /// <summary>HTTP basic auth as <c>user[:password]</c>.</summary>
    public string? HttpAuth { get; init; }

    /// <summary>A PEM file of CA certificates that replaces the system trust store.</summary>
    public string? CaCert { get; init; }

    /// <summary>A directory of PEM CA certificates that replaces the system trust store.</summary>
    public string? CaPath { get; init; }

    /// <summary>A PEM client certificate for mutual TLS (needs <see cref="ClientKey"/>).</summary>
    public string? ClientCert { get; init; }

    /// <summary>The PEM private key of <see cref="ClientCert"/>.</summary>
    public string? ClientKey { get; init; }

    /// <summary>The server name expected in the server certificate (SNI), when it differs from the address host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Skips server certificate verification. For tests only.</summary>
    public bool SkipVerify { get; init; }

    /// <summary>The longest a blocking query waits for a change.</summary>
    public TimeSpan BlockQueryWaitTime { get; init; } = DefaultBlockQueryWaitTime;

    /// <summary>Timeout of a non-blocking request; blocking requests get their wait time on top.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a request that failed to connect (or a read that got 502/503/504) is tried again.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first retry; it doubles for each further one.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The namespace sent when a call does not name one: the single configured namespace, <c>*</c> when
    /// several are configured, or null (Nomad's <c>default</c>).</summary>
    public string? EffectiveNamespace => Namespaces.Count switch
    {
        0 => null,
        1 => Namespaces[0],
        _ => "*",
    };

    /// <summary>True when objects of <paramref name="ns"/> belong to the configured namespaces.</summary>
    public bool IsNamespaceIncluded(string? ns)
    {
        if (Namespaces.Count == 0) return string.IsNullOrEmpty(ns) || ns == "default";
        if (Namespaces.Contains("*")) return true;
        return Namespaces.Contains(string.IsNullOrEmpty(ns) ? "default" : ns);
    }

    /// <summary>Builds options from a plugin config map (the <c>nomad_*</c> keys the agent injects), falling back
    /// to <c>NOMAD_ADDR</c>, <c>NOMAD_REGION</c>, <c>NOMAD_NAMESPACE</c>, <c>NOMAD_TOKEN</c>, <c>NOMAD_HTTP_AUTH</c>,
    /// <c>NOMAD_CACERT</c>, <c>NOMAD_CAPATH</c>, <c>NOMAD_CLIENT_CERT</c>, <c>NOMAD_CLIENT_KEY</c>,
    /// <c>NOMAD_TLS_SERVER_NAME</c> and <c>NOMAD_SKIP_VERIFY</c> for keys that are absent or empty.</summary>
    /// <param name="config">The plugin's config map.</param>
    /// <param name="environment">Reads an environment variable; defaults to the process environment.</param>
    /// <exception cref="PluginConfigException">A value cannot be parsed; the exception names the key.</exception>
    public static NomadClientOptions FromConfig(IReadOnlyDictionary<string, string> config, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Get(string key, string env)
        {
            if (config.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)) return value.Trim();
            var fromEnv = environment(env);
            return string.IsNullOrWhiteSpace(fromEnv) ? null : fromEnv.Trim();
        }

        var violations = new List<ConfigViolation>();
        var skipVerify = false;
        var skipText = Get(NomadConfigKeys.SkipVerify, "NOMAD_SKIP_VERIFY");
        if (skipText is not null && !GoValues.TryParseBool(skipText, out skipVerify))
            violations.Add(new ConfigViolation(NomadConfigKeys.SkipVerify, $"\"{skipText}\" is not a boolean (use true or false)"));

        var wait = DefaultBlockQueryWaitTime;
        if (config.TryGetValue(NomadConfigKeys.BlockQueryWaitTime, out var waitText) && !string.IsNullOrWhiteSpace(waitText)
            && (!GoDuration.TryParse(waitText.Trim(), out wait) || wait <= TimeSpan.Zero))
        {
            violations.Add(new ConfigViolation(NomadConfigKeys.BlockQueryWaitTime, $"\"{waitText}\" is not a positive duration (for example 5m)"));
            wait = DefaultBlockQueryWaitTime;
        }

        var address = Get(NomadConfigKeys.Address, "NOMAD_ADDR") ?? DefaultAddress;
        var httpAuth = Get(NomadConfigKeys.HttpAuth, "NOMAD_HTTP_AUTH");
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "unix"))
        {
            // The address may carry user info, so it is not echoed back.
            violations.Add(new ConfigViolation(NomadConfigKeys.Address, "must be an absolute http://, https:// or unix:// URL"));
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Credentials embedded in the address move to basic auth so that the address can be logged safely.
            httpAuth ??= Uri.UnescapeDataString(uri.UserInfo);
            address = new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString().TrimEnd('/');
        }

        if (violations.Count > 0) throw new PluginConfigException(violations);

        return new NomadClientOptions
        {
            Address = address,
            Region = Get(NomadConfigKeys.Region, "NOMAD_REGION"),
            Namespaces = ParseNamespaces(Get(NomadConfigKeys.Namespace, "NOMAD_NAMESPACE")),
            Token = Get(NomadConfigKeys.Token, "NOMAD_TOKEN"),
            HttpAuth = httpAuth,
            CaCert = Get(NomadConfigKeys.CaCert, "NOMAD_CACERT"),
            CaPath = Get(NomadConfigKeys.CaPath, "NOMAD_CAPATH"),
            ClientCert = Get(NomadConfigKeys.ClientCert, "NOMAD_CLIENT_CERT"),
            ClientKey = Get(NomadConfigKeys.ClientKey, "NOMAD_CLIENT_KEY"),
            TlsServerName = Get(NomadConfigKeys.TlsServerName, "NOMAD_TLS_SERVER_NAME"),
            SkipVerify = skipVerify,
            BlockQueryWaitTime = wait,
        };
    }

    /// <summary>Normalises a namespace setting as the agent does: comma separated, trimmed, empties and duplicates
    /// dropped, order kept, and <c>*</c> anywhere means all namespaces.</summary>
    public static IReadOnlyList<string> ParseNamespaces(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return [];
        var result = new List<string>();
        foreach (var part in value.Split(','))
        {
            var ns = part.Trim();
            if (ns.Length == 0 || result.Contains(ns)) continue;
            if (ns == "*") return ["*"];
            result.Add(ns);
        }

        return result;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder("NomadClientOptions { Address = ").Append(Address);
        if (Region is not null) sb.Append(", Region = ").Append(Region);
        if (Namespaces.Count > 0) sb.Append(", Namespaces = ").Append(string.Join(",", Namespaces));
        if (Token is not null) sb.Append(", Token = <redacted>");
        if (HttpAuth is not null) sb.Append(", HttpAuth = ").Append(HttpAuth.Split(':', 2)[0]).Append(HttpAuth.Contains(':', StringComparison.Ordinal) ? ":<redacted>" : "");
        if (CaCert is not null) sb.Append(", CaCert = ").Append(CaCert);
        if (CaPath is not null) sb.Append(", CaPath = ").Append(CaPath);
        if (ClientCert is not null) sb.Append(", ClientCert = ").Append(ClientCert);
        if (ClientKey is not null) sb.Append(", ClientKey = ").Append(ClientKey);
        if (TlsServerName is not null) sb.Append(", TlsServerName = ").Append(TlsServerName);
        if (SkipVerify) sb.Append(", SkipVerify = true");
        sb.Append(", BlockQueryWaitTime = ").Append(GoDuration.Format(BlockQueryWaitTime)).Append(" }");
        return sb.ToString();
    }

    internal static string FormatWait(TimeSpan wait)
        => ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
}
