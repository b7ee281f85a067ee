namespace NomadAutoscaler.Plugins.Sdk.Testing;

/// <summary>Tuning for <see cref="PluginConformance"/>. The defaults suit a loaded CI machine.</summary>
public sealed record ConformanceOptions
{
    /// <summary>How long to wait for the handshake line (and for a plugin without the cookie to exit).
    /// The agent waits a minute; start-up under CPU contention can take seconds. Default 30 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the plugin may take to exit after <c>plugin.GRPCController/Shutdown</c>. go-plugin hosts
    /// SIGKILL after 2 s, so that is the default.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Deadline of each RPC the kit makes. Default 10 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Command-line arguments for the plugin (the agent passes the plugin block's <c>args</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The check's <c>strategy { ... }</c> configuration sent in the strategy <c>Run</c> call. Strategies
    /// such as threshold or fixed-value reject a check without their required keys, so without this the kit could
    /// only test strategies that need none. The call carries count 1 and one data point of value 1.</summary>
    public IReadOnlyDictionary<string, string> StrategyCheckConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>The policy's <c>target { ... }</c> configuration sent in the target <c>Status</c> call. Cloud targets
    /// reject a target without their pool keys (<c>node_class</c>...), so without this the kit could only test targets
    /// that need none.</summary>
    public IReadOnlyDictionary<string, string> TargetCheckConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Set for a plugin whose documented contract is to accept and ignore unknown agent-level keys (upstream's
    /// built-in strategies do, so existing agent configurations keep loading). <c>set-config.unknown-key</c> then
    /// requires <c>SetConfig</c> with an unknown key to succeed instead of failing with INVALID_ARGUMENT.</summary>
    public bool AcceptsUnknownKeys { get; init; }
}
