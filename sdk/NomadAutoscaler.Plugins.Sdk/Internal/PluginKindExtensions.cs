namespace NomadAutoscaler.Plugins.Sdk.Internal;

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
}
