using System.Diagnostics.CodeAnalysis;
using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Runs a plugin executable: checks the magic cookie, listens, prints the go-plugin handshake line,
/// serves the plugin's gRPC services and logs hclog JSON to stderr until the agent shuts it down.</summary>
public static class PluginHost
{
    /// <summary>Serves <typeparamref name="TPlugin"/> until shutdown and returns the process exit code
    /// (0 after a clean stop, 1 when started without the agent's magic cookie or when start-up fails).</summary>
    /// <typeparam name="TPlugin">A class marked with <see cref="PluginAttribute"/> that implements exactly one of
    /// <see cref="IApmPlugin{TOptions}"/>, <see cref="IStrategyPlugin{TOptions}"/> or <see cref="ITargetPlugin{TOptions}"/>.
    /// Its constructor may take <c>ILogger&lt;TPlugin&gt;</c>, <c>ILogger</c>, <c>ILoggerFactory</c> and <see cref="TimeProvider"/>.</typeparam>
    /// <param name="args">The command-line arguments (the agent passes the plugin block's <c>args</c>); not interpreted by the SDK.</param>
    public static Task<int> RunAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPlugin>(string[] args)
        where TPlugin : class, IPlugin
        => PluginServer.RunAsync(typeof(TPlugin), args);
}
