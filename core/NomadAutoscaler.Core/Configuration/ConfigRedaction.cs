namespace NomadAutoscaler.Core.Configuration;

/// <summary>Hides secrets before configuration is printed, logged or served: the Nomad token, the password half of
/// <c>http_auth</c>, the Circonus API token and every plugin config key that looks secret.</summary>
public static class ConfigRedaction
{
    /// <summary>What a secret value is replaced with.</summary>
    public const string Redacted = "<redacted>";

    // Matched against the key lower-cased with '-' and '.' turned into '_', so "nomad_http-auth" and "OS_PASSWORD"
    // are caught as well as "application_credential_secret".
    private static readonly string[] SecretFragments =
    [
        "password", "passwd", "passphrase", "secret", "token", "credential", "http_auth", "api_key", "apikey", "app_key",
        "access_key", "private_key", "auth_key", "session_key", "signing_key",
    ];

    /// <summary>True when a config key probably holds a secret.</summary>
    public static bool IsSecretKey(string key)
    {
        var normalised = key.ToLowerInvariant().Replace('-', '_').Replace('.', '_');
        return SecretFragments.Any(f => normalised.Contains(f, StringComparison.Ordinal));
    }

    /// <summary>A copy of <paramref name="map"/> with the values of secret-looking keys replaced (empty values stay
    /// empty so "not set" remains visible).</summary>
    public static IReadOnlyDictionary<string, string> RedactMap(IReadOnlyDictionary<string, string> map)
    {
        var copy = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map) copy[key] = value.Length > 0 && IsSecretKey(key) ? Redacted : value;
        return copy;
    }

    /// <summary><c>user:password</c> becomes <c>user:&lt;redacted&gt;</c>; a bare user name is kept.</summary>
    public static string RedactHttpAuth(string httpAuth)
    {
        var colon = httpAuth.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? httpAuth : httpAuth[..(colon + 1)] + Redacted;
    }

    /// <summary>The configuration with every secret replaced by <see cref="Redacted"/>.</summary>
    public static AgentConfig Redact(AgentConfig config) => config with
    {
        Nomad = config.Nomad with
        {
            Token = config.Nomad.Token.Length > 0 ? Redacted : "",
            HttpAuth = RedactHttpAuth(config.Nomad.HttpAuth),
        },
        Telemetry = config.Telemetry with { Circonus = RedactMap(config.Telemetry.Circonus) },
        Apms = [.. config.Apms.Select(RedactPlugin)],
        Strategies = [.. config.Strategies.Select(RedactPlugin)],
        Targets = [.. config.Targets.Select(RedactPlugin)],
    };

    private static PluginConfig RedactPlugin(PluginConfig plugin) => plugin with { Config = RedactMap(plugin.Config) };
}
