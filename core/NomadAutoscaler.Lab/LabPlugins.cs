using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Agent;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Plugins.InProcess;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.FixedValue;
using NomadAutoscaler.Plugins.NomadApm;
using NomadAutoscaler.Plugins.NomadTarget;
using NomadAutoscaler.Plugins.PassThrough;
using NomadAutoscaler.Plugins.Periodic;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.TargetValue;
using NomadAutoscaler.Plugins.Threshold;

namespace NomadAutoscaler.Lab;

/// <summary>The agent's plugin blocks, run in-process on the lab's clock with a socket-free Nomad client. Every
/// driver is the real plugin class; a cloud target (os-nova, or any target that names a node class or pool) is played
/// by the simulated cloud through the <c>sim-cloud</c> target, which scales in with the same SDK helpers.</summary>
internal sealed class LabPlugins : IPluginDirectory, IAsyncDisposable
{
    /// <summary>Drivers whose policies play against the simulated cloud instead of a real one.</summary>
    public static readonly IReadOnlySet<string> CloudDrivers = new HashSet<string>(StringComparer.Ordinal) { "os-nova", "sim-cloud" };

    private readonly Dictionary<string, IApmClient> _apms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IStrategyClient> _strategies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITargetClient> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _drivers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unsupported = new(StringComparer.Ordinal);
    private readonly List<InProcessPlugin> _loaded = [];

    private LabPlugins()
    {
    }

    public static async Task<LabPlugins> CreateAsync(AgentConfig config, TimeProvider time, HttpMessageHandler nomad, ILoggerFactory loggers,
        Func<TargetCloud, ITargetClient> cloudTarget, CancellationToken cancellationToken, Faults.LabFaults? faults = null)
    {
        var plugins = new LabPlugins();
        var settings = AutoscalerAgent.Settings(config.Nomad);
        foreach (var (kind, block) in config.AllPlugins)
        {
            plugins._drivers[Key(kind, block.Name)] = block.Driver;
            if (kind == PluginKind.Target && CloudDrivers.Contains(block.Driver))
            {
                var target = cloudTarget(new TargetCloud(block.Name, block.Driver));
                plugins._targets[block.Name] = faults is null ? target : faults.Wrap(target);
                continue;
            }

            var instance = Create(block.Driver, time, nomad, loggers.CreateLogger("internal_plugin." + block.Driver));
            if (instance is null)
            {
                plugins._unsupported[Key(kind, block.Name)] =
                    $"{Kind(kind)} \"{block.Name}\" uses driver \"{block.Driver}\"{At(block)}, which the lab cannot run; it runs nomad-apm, nomad-target, " +
                    "os-nova and sim-cloud (both as the simulated cloud), target-value, threshold, fixed-value, pass-through and periodic";
                continue;
            }

            var withNomad = NomadConfigInjection.Apply(block.Config, settings, block.Name, loggers.CreateLogger("lab"));
            var pluginBlock = new PluginBlock(kind, block.Name, block.Driver, block.Args, withNomad, PluginLoadMode.InProcess);
            InProcessPlugin loaded;
            try
            {
                loaded = await InProcessPlugin.AttachAsync(pluginBlock, instance, cancellationToken);
            }
            catch (PluginException ex)
            {
                throw new LabException($"{Kind(kind)} \"{block.Name}\"{At(block)}: {ex.Message}", ex);
            }

            plugins._loaded.Add(loaded);
            var clients = new InProcessClients(loaded);
            switch (kind)
            {
                case PluginKind.Apm:
                    plugins._apms[block.Name] = faults is null ? clients : faults.Wrap((IApmClient)clients);
                    break;
                case PluginKind.Strategy:
                    plugins._strategies[block.Name] = faults is null ? clients : faults.Wrap((IStrategyClient)clients);
                    break;
                default:
                    plugins._targets[block.Name] = faults is null ? clients : faults.Wrap((ITargetClient)clients);
                    break;
            }
        }

        return plugins;
    }

    /// <summary>Why the block named <paramref name="name"/> cannot run in the lab, or null when it can (or does not exist).</summary>
    public string? Unsupported(PluginKind kind, string name) => _unsupported.GetValueOrDefault(Key(kind, name));

    public string? Driver(PluginKind kind, string name) => _drivers.GetValueOrDefault(Key(kind, name));

    public IApmClient? FindApm(string name) => _apms.GetValueOrDefault(name);

    public IStrategyClient? FindStrategy(string name) => _strategies.GetValueOrDefault(name);

    public ITargetClient? FindTarget(string name) => _targets.GetValueOrDefault(name);

    public string? ApmDriver(string name) => Driver(PluginKind.Apm, name);

    public async ValueTask DisposeAsync()
    {
        foreach (var plugin in _loaded) await plugin.DisposeAsync();
    }

    private static IPlugin? Create(string driver, TimeProvider time, HttpMessageHandler nomad, ILogger logger)
    {
        NomadClient Client(NomadClientOptions options) => new(options, new SharedHandler(nomad), time, logger);
        return driver switch
        {
            "nomad-apm" => new NomadApmPlugin(logger, time, Client),
            "nomad-target" => new NomadTargetPlugin(logger, Client),
            "target-value" => new TargetValueStrategy(new Logger<TargetValueStrategy>(logger)),
            "threshold" => new ThresholdStrategy(new Logger<ThresholdStrategy>(logger)),
            "fixed-value" => new FixedValueStrategy(new Logger<FixedValueStrategy>(logger)),
            "pass-through" => new PassThroughStrategy(new Logger<PassThroughStrategy>(logger)),
            "periodic" => new PeriodicStrategy(new Logger<PeriodicStrategy>(logger)),
            _ => null,
        };
    }

    private static string Key(PluginKind kind, string name) => $"{kind}/{name}";

    private static string Kind(PluginKind kind) => kind switch
    {
        PluginKind.Apm => "apm",
        PluginKind.Strategy => "strategy",
        _ => "target",
    };

    private static string At(PluginConfig block) => block.DefinedAt.Length > 0 ? $" ({block.DefinedAt})" : "";

    /// <summary>Many plugin clients share the one simulator handler; disposing a client must not dispose it.</summary>
    internal sealed class SharedHandler(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _invoker.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Adapts a plugin-scoped logger to the typed logger the strategy constructors ask for.</summary>
    private sealed class Logger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => inner.Log(logLevel, eventId, state, exception, formatter);
    }
}

/// <summary>A target block that the simulated cloud plays.</summary>
internal sealed record TargetCloud(string Name, string Driver);
