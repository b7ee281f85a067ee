namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>The go-plugin handshake constants of nomad-autoscaler, in one place for the SDK, the kit and the agent:
/// the magic cookie and protocol versions a plugin checks before it serves, and the environment variables the host
/// sets for it.</summary>
internal static class PluginProtocol
{
    public const string MagicCookieKey = "NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE";
    public const string MagicCookieValue = "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3";

    /// <summary>go-plugin's CoreProtocolVersion.</summary>
    public const int CoreProtocolVersion = 1;

    /// <summary>nomad-autoscaler's app protocol version: the agent offers it, plugins serve it.</summary>
    public const int AppProtocolVersion = 1;

    /// <summary>The nomad-autoscaler app protocol versions this SDK serves, lowest first.</summary>
    public static readonly IReadOnlyList<int> ServedAppVersions = [AppProtocolVersion];

    public const string ProtocolVersionsVariable = "PLUGIN_PROTOCOL_VERSIONS";
    public const string MinPortVariable = "PLUGIN_MIN_PORT";
    public const string MaxPortVariable = "PLUGIN_MAX_PORT";
    public const string ClientCertVariable = "PLUGIN_CLIENT_CERT";
    public const string MultiplexVariable = "PLUGIN_MULTIPLEX_GRPC";
    public const string UnixSocketDirVariable = "PLUGIN_UNIX_SOCKET_DIR";
    public const string UnixSocketGroupVariable = "PLUGIN_UNIX_SOCKET_GROUP";

    /// <summary>Our own opt-in (not go-plugin's): <c>tcp</c> makes the plugin listen on 127.0.0.1 instead of a unix socket.</summary>
    public const string TransportVariable = "NOMAD_AUTOSCALER_PLUGIN_TRANSPORT";

    /// <summary>Our own: minimum level of the plugin's stderr log (trace, debug, info, warn, error, off). Default info.</summary>
    public const string LogLevelVariable = "NOMAD_AUTOSCALER_PLUGIN_LOG_LEVEL";

    /// <summary>The config key through which the agent passes a target Status deadline (it is enforced by the caller).</summary>
    public const string GrpcTimeoutConfigKey = "_nomad_autoscaler_grpc_timeout";

    /// <summary>Health service name go-plugin hosts ping.</summary>
    public const string HealthServiceName = "plugin";

    /// <summary>What go-plugin prints when a plugin binary is run by hand.</summary>
    public const string NotAPluginMessage =
        "This binary is a plugin. These are not meant to be executed directly.\n"
        + "Please execute the program that consumes these plugins, which will\n"
        + "load any plugins automatically\n";
}
