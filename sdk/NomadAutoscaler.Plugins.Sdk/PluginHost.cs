namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Runs a plugin executable: checks the magic cookie, listens, prints the go-plugin handshake line,
/// serves the plugin's gRPC services and logs hclog JSON to stderr until the agent shuts it down.</summary>
public static class PluginHost
{
    /// <summary>Serves <typeparamref name="TPlugin"/> until shutdown and returns the process exit code.</summary>
    /// <typeparam name="TPlugin">A class marked with <see cref="PluginAttribute"/> that implements exactly one of
    /// <see cref="IApmPlugin{TOptions}"/>, <see cref="IStrategyPlugin{TOptions}"/> or <see cref="ITargetPlugin{TOptions}"/>.</typeparam>
    public static Task<int> RunAsync<TPlugin>(string[] args)
        where TPlugin : class
        => throw new InvalidOperationException("hosting is being written");
}
