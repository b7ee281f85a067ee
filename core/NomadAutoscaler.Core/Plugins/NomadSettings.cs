namespace NomadAutoscaler.Core.Plugins;

/// <summary>The agent's effective Nomad connection settings (agent <c>nomad {}</c> block merged with NOMAD_* env),
/// as injected into plugin configs.</summary>
internal sealed record NomadSettings
{
    public string? Address { get; init; }
    public string? Region { get; init; }
    public string? Namespace { get; init; }
    public string? Token { get; init; }
    public string? HttpAuth { get; init; }
    public string? CaCert { get; init; }
    public string? CaPath { get; init; }
    public string? ClientCert { get; init; }
    public string? ClientKey { get; init; }
    public string? TlsServerName { get; init; }
    public bool SkipVerify { get; init; }
    public TimeSpan BlockQueryWaitTime { get; init; }

    /// <summary>Redacts secrets so a record printed by accident never leaks them.</summary>
    public override string ToString()
        => $"NomadSettings {{ Address = {Address}, Region = {Region}, Namespace = {Namespace}, Token = {(string.IsNullOrEmpty(Token) ? "" : "<redacted>")}, HttpAuth = {(string.IsNullOrEmpty(HttpAuth) ? "" : "<redacted>")} }}";
}
