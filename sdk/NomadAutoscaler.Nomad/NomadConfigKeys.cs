namespace NomadAutoscaler.Nomad;

/// <summary>The config keys through which the agent passes its Nomad connection settings to every plugin.</summary>
public static class NomadConfigKeys
{
    /// <summary>Every injected key starts with this prefix.</summary>
    public const string Prefix = "nomad_";

    /// <summary>The Nomad HTTP API address.</summary>
    public const string Address = "nomad_address";

    /// <summary>The region.</summary>
    public const string Region = "nomad_region";

    /// <summary>The namespace, or a comma-separated list, or <c>*</c>.</summary>
    public const string Namespace = "nomad_namespace";

    /// <summary>The ACL token (a secret).</summary>
    public const string Token = "nomad_token";

    /// <summary>HTTP basic auth <c>user[:password]</c> (the password is a secret).</summary>
    public const string HttpAuth = "nomad_http-auth";

    /// <summary>The CA certificate file.</summary>
    public const string CaCert = "nomad_ca-cert";

    /// <summary>The CA certificate directory.</summary>
    public const string CaPath = "nomad_ca-path";

    /// <summary>The client certificate file.</summary>
    public const string ClientCert = "nomad_client-cert";

    /// <summary>The client key file.</summary>
    public const string ClientKey = "nomad_client-key";

    /// <summary>The TLS server name.</summary>
    public const string TlsServerName = "nomad_tls-server-name";

    /// <summary>Whether to skip TLS verification.</summary>
    public const string SkipVerify = "nomad_skip-verify";

    /// <summary>The longest wait of a blocking query (Go duration).</summary>
    public const string BlockQueryWaitTime = "nomad_block-query-wait-time";
}
