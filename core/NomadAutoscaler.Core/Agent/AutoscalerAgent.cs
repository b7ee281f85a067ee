using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Agent;

/// <summary>One run of the agent: plugins, policy sources and the evaluation engine, for a given configuration.
/// <see cref="ReloadAsync"/> applies a new configuration without a restart.</summary>
internal sealed class AutoscalerAgent : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AutoscalerMetrics _metrics;
    private readonly IEvaluationGate? _gate;
    private AgentConfig _config;
    private PluginManager? _plugins;
    private PolicyManager? _policies;
    private FilePolicySource? _fileSource;
    private NomadClient? _journalClient;
    private CancellationTokenSource? _sourcesStop;
    private Task _sourcesTask = Task.CompletedTask;

    /// <param name="config">The configuration.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="time">The clock of intervals and cooldowns.</param>
    /// <param name="gate">Who may evaluate; in HA mode the <see cref="LeaderElection"/>, otherwise always open.</param>
    public AutoscalerAgent(AgentConfig config, ILoggerFactory loggers, TimeProvider? time = null, IEvaluationGate? gate = null)
    {
        _gate = gate;
        _config = config;
        _loggers = loggers;
        _time = time ?? TimeProvider.System;
        _logger = loggers.CreateLogger("agent");
        _metrics = new AutoscalerMetrics();
        // Restarts and leadership, so an alert can see a plugin crash-looping or a lost lock.
        _metrics.Gauge("plugin.restart_count", PluginRestarts);
        if (gate is LeaderElection election) _metrics.Gauge("ha.leader", () => election.IsLeader ? 1L : 0L);
    }

    private IEnumerable<System.Diagnostics.Metrics.Measurement<long>> PluginRestarts()
        => _plugins?.Running.Select(p => new System.Diagnostics.Metrics.Measurement<long>(p.Restarts,
            new KeyValuePair<string, object?>("plugin_name", p.Block.Name), new KeyValuePair<string, object?>("plugin_type", p.Block.Kind.ToString().ToLowerInvariant()))) ?? [];

    public AgentConfig Config => _config;

    /// <summary>The engine's instruments, for the in-memory metrics sink.</summary>
    internal AutoscalerMetrics Metrics => _metrics;

    /// <summary>The running policy handlers, for the HTTP API; empty before start.</summary>
    internal PolicyManager? Policies => _policies;

    internal PluginManager? Plugins => _plugins;

    /// <summary>Launches plugins and starts following policy sources. Plugin launch failures fail the start.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The start token is cancelled by the agent's stop signal: plugins exiting from then on are expected.
        _plugins = new PluginManager(HostOptions(_config) with { Stopping = cancellationToken }, _loggers, Settings(_config.Nomad));
        await _plugins.StartAsync(Blocks(_config), cancellationToken);
        var ha = _config.HighAvailability;
        _journalClient = new NomadClient(ClientOptions(_config.Nomad), timeProvider: _time, logger: _loggers.CreateLogger("decision_journal"));
        var journal = new NomadDecisionJournal(_journalClient, ha.LockPath, ha.LockNamespace, _time);
        _policies = new PolicyManager(new PluginManagerDirectory(_plugins), _config.PolicyEval.Workers, _time, _loggers, _metrics, _gate, journal: journal);
        StartSources();
    }

    /// <summary>Applies a new configuration: plugins are relaunched or reconfigured, sources restarted. Settings that
    /// need a restart (logging, HTTP, workers, HA) keep their old values.</summary>
    public async Task ReloadAsync(AgentConfig config, CancellationToken cancellationToken)
    {
        _config = config with { PolicyEval = _config.PolicyEval, HighAvailability = _config.HighAvailability, Http = _config.Http };
        if (_plugins is null) return;
        try
        {
            await _plugins.ReloadAsync(Blocks(_config), Settings(_config.Nomad), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.Hclog(LogLevel.Error, "failed to reload plugins", ("error", ex.Message));
        }

        await StopSourcesAsync();
        StartSources();
    }

    private void StartSources()
    {
        var sources = new List<IPolicySource>();
        if (_config.Policy.NomadSourceEnabled)
        {
            var client = new NomadClient(ClientOptions(_config.Nomad), timeProvider: _time, logger: _loggers.CreateLogger("nomad_policy_source"));
            sources.Add(new NomadPolicySource(client, new PolicyDefaults(_config.Policy.DefaultCooldown, _config.Policy.DefaultEvaluationInterval), _time, _loggers));
        }

        if (_config.Policy.FileSourceEnabled && _config.Policy.Dir.Length > 0)
        {
            _fileSource = new FilePolicySource(_config.Policy.Dir, FilePolicyDefaults.From(_config), _loggers, _time);
            sources.Add(_fileSource);
        }

        if (sources.Count == 0) _logger.Hclog(LogLevel.Warning, "no policy source available");
        _sourcesStop = new CancellationTokenSource();
        _sourcesTask = _policies!.RunAsync(sources, _sourcesStop.Token);
    }

    private async Task StopSourcesAsync()
    {
        if (_sourcesStop is null) return;
        await _sourcesStop.CancelAsync();
        try
        {
            await _sourcesTask;
        }
        catch (OperationCanceledException)
        {
        }

        _sourcesStop.Dispose();
        _sourcesStop = null;
        _fileSource?.Dispose();
        _fileSource = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopSourcesAsync();
        if (_policies is not null) await _policies.DisposeAsync();
        if (_plugins is not null)
        {
            foreach (var block in _plugins.Blocks)
                _logger.Hclog(LogLevel.Information, "shutting down plugin", ("plugin_name", block.Name));
            await _plugins.DisposeAsync();
        }

        _journalClient?.Dispose();
        _metrics.Dispose();
    }

    internal static PluginHostOptions HostOptions(AgentConfig config) => new()
    {
        PluginDir = config.PluginDir,
        PluginLogLevel = HclogLevel.Parse(config.LogLevel),
    };

    internal static IReadOnlyList<PluginBlock> Blocks(AgentConfig config) => config.AllPlugins
        .Select(p => new PluginBlock(p.Kind, p.Plugin.Name, p.Plugin.Driver, p.Plugin.Args, p.Plugin.Config,
            p.Plugin.InProcess ? PluginLoadMode.InProcess : PluginLoadMode.External))
        .ToList();

    internal static NomadSettings Settings(NomadConfig nomad) => new()
    {
        Address = nomad.Address,
        Region = nomad.Region,
        Namespace = nomad.Namespaces.Count switch { 0 => null, 1 => nomad.Namespaces[0], _ => "*" },
        Token = nomad.Token,
        HttpAuth = nomad.HttpAuth,
        CaCert = nomad.CaCert,
        CaPath = nomad.CaPath,
        ClientCert = nomad.ClientCert,
        ClientKey = nomad.ClientKey,
        TlsServerName = nomad.TlsServerName,
        SkipVerify = nomad.SkipVerify,
        BlockQueryWaitTime = nomad.BlockQueryWaitTime,
    };

    internal static NomadClientOptions ClientOptions(NomadConfig nomad) => new()
    {
        Address = nomad.Address,
        Region = nomad.Region.Length == 0 ? null : nomad.Region,
        Namespaces = nomad.Namespaces,
        Token = nomad.Token.Length == 0 ? null : nomad.Token,
        HttpAuth = nomad.HttpAuth.Length == 0 ? null : nomad.HttpAuth,
        CaCert = nomad.CaCert.Length == 0 ? null : nomad.CaCert,
        CaPath = nomad.CaPath.Length == 0 ? null : nomad.CaPath,
        ClientCert = nomad.ClientCert.Length == 0 ? null : nomad.ClientCert,
        ClientKey = nomad.ClientKey.Length == 0 ? null : nomad.ClientKey,
        TlsServerName = nomad.TlsServerName.Length == 0 ? null : nomad.TlsServerName,
        SkipVerify = nomad.SkipVerify,
        BlockQueryWaitTime = nomad.BlockQueryWaitTime,
    };
}
