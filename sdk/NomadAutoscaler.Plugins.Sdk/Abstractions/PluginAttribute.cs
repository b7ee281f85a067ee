namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Names a plugin. The name must equal the executable's file name, which is the agent's <c>driver</c>.</summary>
/// <param name="name">The plugin id, e.g. <c>os-nova</c>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PluginAttribute(string name) : Attribute
{
    /// <summary>The plugin id.</summary>
    public string Name { get; } = name;
}
