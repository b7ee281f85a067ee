namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Binds every configuration key that starts with <see cref="Prefix"/> into a string map, keyed by the rest
/// of the key: with <c>[ConfigKeyPrefix("header_")]</c>, <c>header_X-Scope-OrgID = "tenant"</c> becomes
/// <c>["X-Scope-OrgID"] = "tenant"</c>. Those keys are then known, so they are not reported as unknown. The property
/// must be an <c>IReadOnlyDictionary&lt;string, string&gt;</c> (or <c>IDictionary</c>/<c>Dictionary</c>) with a
/// public setter; a key that is only the prefix, with nothing after it, stays unknown.</summary>
/// <param name="prefix">The key prefix, exactly as written in the agent's plugin block.</param>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ConfigKeyPrefixAttribute(string prefix) : Attribute
{
    /// <summary>The key prefix.</summary>
    public string Prefix { get; } = prefix;
}
