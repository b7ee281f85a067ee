namespace NomadAutoscaler.Core.Plugins;

/// <summary>How the agent launches and supervises plugins.</summary>
internal sealed record PluginHostOptions
{
    /// <summary>Where external plugin executables (and in-process plugin folders) live: agent config <c>plugin_dir</c>.</summary>
    public required string PluginDir { get; init; }

    /// <summary>How long a plugin may take to print its handshake line (go-plugin's StartTimeout).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a plugin may take to exit after the Shutdown RPC before it is killed.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Offer go-plugin AutoMTLS (PLUGIN_CLIENT_CERT). Upstream's agent does not.</summary>
    public bool AutoMtls { get; init; }

    /// <summary>First delay before restarting a crashed plugin; doubles per consecutive crash.</summary>
    public TimeSpan RestartInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the restart delay.</summary>
    public TimeSpan RestartMaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A plugin that ran at least this long before crashing starts again from <see cref="RestartInitialDelay"/>.</summary>
    public TimeSpan RestartResetAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The agent's log level, passed to SDK plugins (NOMAD_AUTOSCALER_PLUGIN_LOG_LEVEL) so they do not format
    /// lines the agent would drop anyway. Go plugins ignore it and log at trace.</summary>
    public Microsoft.Extensions.Logging.LogLevel PluginLogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Cancelled as soon as the agent begins to stop (a signal): from then on a plugin's exit is expected, is
    /// logged at debug and restarts nothing.</summary>
    public CancellationToken Stopping { get; init; }

    /// <summary>How long a plugin that exited as a stop signal makes it (0, or killed by SIGHUP, SIGINT or SIGTERM)
    /// is given for <see cref="Stopping"/> to follow before the exit counts as a crash. A signal sent to the agent's
    /// whole process group reaches the plugins and the agent at once, and a plugin may exit before the agent has
    /// handled its copy.</summary>
    public TimeSpan StopSignalGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Clock of the restart backoff. Waits on processes (handshake, shutdown grace) always use real time.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
