using NomadAutoscaler.Plugins.Contracts.Base.V1;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>The names of a plugin kind, for the plugin and the agent alike.</summary>
internal static class PluginKindExtensions
{
    /// <summary>The lower-case word the agent's config uses for the kind (apm, strategy, target).</summary>
    public static string ToWireName(this PluginKind kind) => kind switch
    {
        PluginKind.Apm => "apm",
        PluginKind.Strategy => "strategy",
        PluginKind.Target => "target",
        _ => kind.ToString(),
    };

    /// <summary>The kind as PluginInfo reports it on the wire.</summary>
    public static PluginType ToPluginType(this PluginKind kind) => kind switch
    {
        PluginKind.Apm => PluginType.Apm,
        PluginKind.Strategy => PluginType.Strategy,
        PluginKind.Target => PluginType.Target,
        _ => PluginType.Unspecified,
    };
}
