using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>One <c>apm|strategy|target "name" { driver, args, config, mode }</c> block of the agent configuration.</summary>
internal sealed record PluginBlock(
    PluginKind Kind,
    string Name,
    string Driver,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Config,
    PluginLoadMode Mode = PluginLoadMode.External)
{
    /// <summary>The HCL attribute that selects <see cref="Mode"/>.</summary>
    public const string ModeKey = "mode";

    /// <summary>Parses the <c>mode</c> attribute: <c>external</c> or <c>in-process</c>; null for anything else.</summary>
    public static PluginLoadMode? ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "external" or "" => PluginLoadMode.External,
        "in-process" or "inprocess" => PluginLoadMode.InProcess,
        _ => null,
    };
}
