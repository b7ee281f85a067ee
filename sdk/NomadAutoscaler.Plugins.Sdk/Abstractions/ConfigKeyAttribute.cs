namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Names the configuration key an options property is bound from. Without it the key is the
/// property name in snake_case (<c>TlsServerName</c> → <c>tls_server_name</c>).</summary>
/// <param name="key">The key exactly as written in the agent's plugin block, e.g. <c>nomad_http-auth</c>.</param>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ConfigKeyAttribute(string key) : Attribute
{
    /// <summary>The configuration key.</summary>
    public string Key { get; } = key;
}
