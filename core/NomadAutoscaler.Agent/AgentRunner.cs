using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Agent;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Agent;

/// <summary>Composition root of `nomad-autoscaler agent`: configuration, logging, signals, and in <c>-dev</c> mode an
/// embedded simulated Nomad cluster with live load.</summary>
internal static class AgentRunner
{
    /// <summary>Where built-in plugin executables are bundled next to the agent (see the Agent project file).</summary>
    public static string BundledPluginDir => Path.Combine(AppContext.BaseDirectory, "plugins");

    public static async Task<int> RunAsync(AgentCommandLine commandLine, CancellationToken cancellationToken)
    {
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reloads = System.Threading.Channels.Channel.CreateUnbounded<ReloadRequest>();
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

        AgentConfig config;
        try
        {
            config = ConfigLoader.Load(commandLine.ConfigPaths, commandLine.Flags, environment, Directory.GetCurrentDirectory());
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync("Run 'nomad-autoscaler agent --help' for more information.");
            return 1;
        }

        using var loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Trace)
            .AddProvider(new HclogLoggerProvider(new HclogOptions { MinimumLevel = HclogLevel.Parse(config.LogLevel), Json = config.LogJson, IncludeLocation = config.LogIncludeLocation })));
        var logger = loggers.CreateLogger("agent");
        if (InheritedSignals.Restored.Count > 0)
            logger.Hclog(LogLevel.Debug, "signals were ignored when the agent started; handling them", ("signals", string.Join(", ", InheritedSignals.Restored)));

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Stop(c, "interrupt"));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(c, "terminated"));
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            reloads.Writer.TryWrite(new ReloadRequest(null));
        });

        await using var simulator = commandLine.Dev ? new NomadSimulator() : null;
        using var devOpenStack = commandLine.Dev ? DevOpenStack.Create(environment, config, logger) : null;
        using var devPool = commandLine.Dev ? DevPool.Create(config, devOpenStack?.PolicyDir, logger) : null;
        if (simulator is not null)
        {
            var options = SimulatorScenarios.Dev();
            options.Port = 0;
            options.Logger = loggers.CreateLogger("dev.simulator");
            devOpenStack?.AddTo(options);
            var address = await simulator.StartAsync(options, shutdown.Token);
            SimulatorScenarios.StartDevPool(simulator);
            config = DevConfig(config, commandLine, address);
            if (devOpenStack is not null) config = devOpenStack.AddTo(config);
            if (devPool is not null) config = devPool.AddTo(config);
            logger.Hclog(LogLevel.Information, "started simulated Nomad cluster for -dev", ("address", address.ToString().TrimEnd('/')));
        }

        LogStartup(logger, config);
        // Declared first so it is disposed last: handlers stop before the lock is released.
        await using var election = config.HighAvailability.Enabled ? LeaderElection.Create(config, loggers) : null;
        await using var agent = new AutoscalerAgent(config, loggers, gate: election);
        using var telemetry = AgentHttp.Telemetry(config, loggers);
        // As upstream, the HTTP API listens before plugins are launched.
        await using var http = await AgentHttp.StartAsync(config, agent, telemetry.Collector, reloads.Writer, loggers, logger, shutdown.Token);
        if (http is null) return 1;
        try
        {
            await agent.StartAsync(shutdown.Token);
        }
        catch (Exception ex) when (shutdown.IsCancellationRequested)
        {
            // A signal during plugin launch is an ordinary stop, not a failure, whatever the launch was doing when
            // it was cut short; the plugins that did start are stopped as the agent is disposed.
            if (ex is not OperationCanceledException)
                logger.Hclog(LogLevel.Debug, "start-up cut short by the stop", ("error", ex.Message));
            logger.Hclog(LogLevel.Information, "shutting down agent");
            return 0;
        }
        catch (Exception ex)
        {
            logger.Hclog(LogLevel.Error, "failed to start agent", ("error", ex.Message));
            return 1;
        }

        // Campaigning starts once plugins run and policies load, so a standby is hot when it wins.
        election?.Start();
        logger.Hclog(LogLevel.Information, "Nomad Autoscaler agent started! Log data will stream in below");
        try
        {
            await foreach (var request in reloads.Reader.ReadAllAsync(shutdown.Token))
            {
                var refusal = await ReloadAsync(agent, commandLine, environment, devOpenStack, devPool, logger, shutdown.Token);
                request.Done?.TrySetResult(refusal);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }

        logger.Hclog(LogLevel.Information, "shutting down agent");

        return 0;

        void Stop(PosixSignalContext context, string name)
        {
            // The process exits through the normal path, so plugins get their Shutdown call and nothing is orphaned.
            context.Cancel = true;
            loggers.CreateLogger("agent").Hclog(LogLevel.Information, "caught signal", ("signal", name));
            shutdown.Cancel();
        }
    }

    /// <summary>Re-reads the <c>-config</c> paths and re-applies the CLI flags (upstream dropped them). An invalid
    /// configuration keeps the running one and is logged, rather than stopping the agent.</summary>
    /// <returns>Null, or why the new configuration was refused.</returns>
    private static async Task<string?> ReloadAsync(AutoscalerAgent agent, AgentCommandLine commandLine, IReadOnlyDictionary<string, string?> environment,
        DevOpenStack? devOpenStack, DevPool? devPool, ILogger logger, CancellationToken cancellationToken)
    {
        logger.Hclog(LogLevel.Information, "reloading Autoscaler configuration");
        try
        {
            var config = ConfigLoader.Load(commandLine.ConfigPaths, commandLine.Flags, environment, Directory.GetCurrentDirectory());
            if (commandLine.Dev)
                config = config with { Nomad = agent.Config.Nomad, PluginDir = agent.Config.PluginDir, Policy = config.Policy with { NomadSourceEnabled = true } };
            if (devOpenStack is not null) config = devOpenStack.AddTo(config);
            if (devPool is not null) config = devPool.AddTo(config);
            await agent.ReloadAsync(config, cancellationToken);
            return null;
        }
        catch (ConfigException ex)
        {
            logger.Hclog(LogLevel.Error, "failed to reload Autoscaler configuration; the previous configuration keeps running", ("error", ex.Message));
            return ex.Message;
        }
    }

    private static AgentConfig DevConfig(AgentConfig config, AgentCommandLine commandLine, Uri simulator) => config with
    {
        Nomad = config.Nomad with { Address = simulator.ToString().TrimEnd('/') },
        PluginDir = string.IsNullOrEmpty(commandLine.Flags.PluginDir) ? BundledPluginDir : config.PluginDir,
        Policy = config.Policy with { NomadSourceEnabled = true },
    };

    private static void LogStartup(ILogger logger, AgentConfig config)
    {
        logger.Hclog(LogLevel.Information, "starting Nomad Autoscaler agent");
        var version = typeof(AgentRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var plugins = string.Join(", ", config.AllPlugins.Select(p => p.Plugin.Name));
        logger.Hclog(LogLevel.Information, "Nomad Autoscaler agent configuration",
            ("bind_addrs", config.Http.BindAddress),
            ("high_availability", config.HighAvailability.Enabled),
            ("log_level", config.LogLevel),
            ("nomad_address", config.Nomad.Address),
            ("plugin_dir", config.PluginDir),
            ("plugins", plugins),
            ("policies", config.Policy.Dir),
            ("version", "v" + version.Split('+')[0]));
    }
}
