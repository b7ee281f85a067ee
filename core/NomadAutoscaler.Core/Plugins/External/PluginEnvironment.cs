using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>What the agent, as go-plugin host, puts in a plugin's environment. The protocol's names and values are the
/// SDK's (<see cref="PluginProtocol"/>); the port range and the offered versions are the host's choice.</summary>
internal static class PluginEnvironment
{
    public const string MagicCookieKey = PluginProtocol.MagicCookieKey;
    public const string MagicCookieValue = PluginProtocol.MagicCookieValue;
    public const int AppProtocolVersion = PluginProtocol.AppProtocolVersion;

    /// <summary>The SDK's own variable for its stderr log level (not part of go-plugin).</summary>
    public const string PluginLogLevelKey = PluginProtocol.LogLevelVariable;

    /// <summary>go-plugin's default port range for TCP plugins.</summary>
    public const int MinPort = 10000;
    public const int MaxPort = 25000;

    public static readonly IReadOnlyCollection<int> OfferedAppVersions = [AppProtocolVersion];
}
