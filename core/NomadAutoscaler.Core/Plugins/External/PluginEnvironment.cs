namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>The go-plugin handshake settings of nomad-autoscaler: the magic cookie and protocol version a plugin
/// checks before it serves, and the environment variables the host sets for it.</summary>
internal static class PluginEnvironment
{
    public const string MagicCookieKey = "NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE";
    public const string MagicCookieValue = "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3";
    public const int AppProtocolVersion = 1;

    /// <summary>The SDK's own variable for its stderr log level (not part of go-plugin).</summary>
    public const string PluginLogLevelKey = "NOMAD_AUTOSCALER_PLUGIN_LOG_LEVEL";
    public const int MinPort = 10000;
    public const int MaxPort = 25000;

    public static readonly IReadOnlyCollection<int> OfferedAppVersions = [AppProtocolVersion];
}
