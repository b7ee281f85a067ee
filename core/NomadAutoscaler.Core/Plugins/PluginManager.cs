using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Plugins.External;
using NomadAutoscaler.Core.Threading;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Launches, configures, supervises, reloads and stops the agent's plugins, and hands the engine their clients.
/// Get the client per use (<see cref="GetApm"/> etc. are a dictionary lookup): a reload may replace a plugin.</summary>
internal sealed class PluginManager : IAsyncDisposable
{
    private readonly PluginHostOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    // Inline hand-over, so a reload that waited for another goes on on the thread that finished it (the lab's one thread).
    private readonly InlineAsyncSemaphore _changeLock = new(1);
    private readonly Lazy<string> _socketDir;
    private readonly Lazy<ExternalPluginLauncher> _launcher;
    private volatile Dictionary<(PluginKind Kind, string Name), ManagedPlugin> _plugins = [];
    private NomadSettings? _nomad;
    private bool _disposed;

    public PluginManager(PluginHostOptions options, ILoggerFactory loggerFactory, NomadSettings? nomad = null)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("agent.plugin_manager");
        _nomad = nomad;
        // Plugins create their unix sockets here; CreateTempSubdirectory makes it 0700, private to the agent's user.
        _socketDir = new Lazy<string>(() => Directory.CreateTempSubdirectory("nomad-autoscaler-").FullName);
        _launcher = new Lazy<ExternalPluginLauncher>(() => new ExternalPluginLauncher(_options, _loggerFactory, _socketDir.Value));
    }

    /// <summary>The private directory for plugin sockets (PLUGIN_UNIX_SOCKET_DIR).</summary>
    public string SocketDirectory => _socketDir.Value;

    public IReadOnlyCollection<PluginBlock> Blocks => [.. _plugins.Values.Select(p => p.Block)];

    /// <summary>The running plugins, for the HTTP API's <c>/v1/plugins</c>.</summary>
    public IReadOnlyCollection<ManagedPlugin> Running => [.. _plugins.Values];

    /// <summary>Launches every block (concurrently) and configures it. Any failure stops the ones that started and is thrown,
    /// as upstream fails agent start with "failed to setup plugins".</summary>
    public async Task StartAsync(IReadOnlyList<PluginBlock> blocks, CancellationToken cancellationToken)
    {
        await _changeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CheckDuplicates(blocks);
            var launched = await LaunchAllAsync(blocks, cancellationToken).ConfigureAwait(false);
            var next = new Dictionary<(PluginKind, string), ManagedPlugin>(_plugins);
            foreach (var plugin in launched) next[(plugin.Block.Kind, plugin.Block.Name)] = plugin;
            _plugins = next;
        }
        finally
        {
            _changeLock.Exit();
        }
    }

    public IApmClient GetApm(string name) => Get<IApmClient>(PluginKind.Apm, name);

    public IStrategyClient GetStrategy(string name) => Get<IStrategyClient>(PluginKind.Strategy, name);

    public ITargetClient GetTarget(string name) => Get<ITargetClient>(PluginKind.Target, name);

    public bool Contains(PluginKind kind, string name) => _plugins.ContainsKey((kind, name));

    /// <summary>The effective block (with injected Nomad settings) of a loaded plugin, or null.</summary>
    public PluginBlock? TryGetBlock(PluginKind kind, string name) => _plugins.TryGetValue((kind, name), out var plugin) ? plugin.Block : null;

    /// <summary>The process id of a running external plugin (diagnostics and tests); null otherwise.</summary>
    public int? GetProcessId(PluginKind kind, string name) => _plugins.TryGetValue((kind, name), out var plugin) ? plugin.ProcessId : null;

    private T Get<T>(PluginKind kind, string name)
        where T : class
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            if (_plugins.TryGetValue((kind, name), out var plugin)) return (T)plugin.Client;
            throw new PluginException(name, kind, $"no {ExternalPluginLauncher.KindName(kind)} plugin named \"{name}\" is configured");
        }
        finally
        {
            if (PluginMetrics.ManagerAccess.Enabled)
            {
                PluginMetrics.ManagerAccess.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds,
                    new KeyValuePair<string, object?>("plugin_name", name),
                    new KeyValuePair<string, object?>("plugin_type", ExternalPluginLauncher.KindName(kind)));
            }
        }
    }

    /// <summary>Applies a reloaded configuration: removed plugins are stopped, kept ones get SetConfig with the new
    /// config (or are relaunched when driver, args or mode changed), new ones are launched. Failures are logged as
    /// "failed to reload plugins" and the first is thrown; the other changes still apply.</summary>
    public async Task ReloadAsync(IReadOnlyList<PluginBlock> blocks, NomadSettings? nomad, CancellationToken cancellationToken)
    {
        await _changeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CheckDuplicates(blocks);
            _nomad = nomad;
            var next = new Dictionary<(PluginKind, string), ManagedPlugin>(_plugins);
            var wanted = blocks.ToDictionary(b => (b.Kind, b.Name));
            var failures = new List<Exception>();

            foreach (var (key, plugin) in _plugins)
            {
                if (wanted.ContainsKey(key)) continue;
                next.Remove(key);
                await StopAsync(plugin).ConfigureAwait(false);
            }

            var toLaunch = new List<PluginBlock>();
            foreach (var block in blocks)
            {
                var effective = WithNomad(block);
                if (!_plugins.TryGetValue((block.Kind, block.Name), out var existing))
                {
                    toLaunch.Add(block);
                    continue;
                }

                if (existing.Block.Driver != block.Driver || existing.Block.Mode != block.Mode || !existing.Block.Args.SequenceEqual(block.Args))
                {
                    next.Remove((block.Kind, block.Name));
                    await StopAsync(existing).ConfigureAwait(false);
                    toLaunch.Add(block);
                    continue;
                }

                try
                {
                    await existing.ReconfigureAsync(effective, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failures.Add(ex);
                }
            }

            try
            {
                foreach (var plugin in await LaunchAllAsync(toLaunch, cancellationToken).ConfigureAwait(false))
                    next[(plugin.Block.Kind, plugin.Block.Name)] = plugin;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add(ex);
            }

            _plugins = next;
            if (failures.Count > 0)
            {
                foreach (var failure in failures) _logger.Hclog(LogLevel.Error, "failed to reload plugins", ("error", failure.Message));
                throw failures[0];
            }
        }
        finally
        {
            _changeLock.Exit();
        }
    }

    private async Task<List<ManagedPlugin>> LaunchAllAsync(IReadOnlyList<PluginBlock> blocks, CancellationToken cancellationToken)
    {
        var tasks = blocks.Select(b => ManagedPlugin.LaunchAsync(WithNomad(b), _options, _launcher.Value, _loggerFactory, _logger, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            var failures = new List<Exception>();
            foreach (var task in tasks)
            {
                if (task.IsCompletedSuccessfully) await task.Result.DisposeAsync().ConfigureAwait(false);
                else if (task.Exception?.InnerException is { } ex) failures.Add(ex);
            }

            foreach (var failure in failures.Skip(1)) _logger.Hclog(LogLevel.Error, "failed to setup plugin", ("error", failure.Message));
            if (failures.Count > 0) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
            throw;
        }

        var launched = tasks.Select(t => t.Result).ToList();
        foreach (var plugin in launched)
            _logger.Hclog(LogLevel.Information, "successfully launched and dispensed plugin", ("plugin_name", plugin.Block.Name));
        return launched;
    }

    private PluginBlock WithNomad(PluginBlock block)
    {
        var config = NomadConfigInjection.Apply(block.Config, _nomad, block.Name, _logger);
        return ReferenceEquals(config, block.Config) ? block : block with { Config = config };
    }

    private static void CheckDuplicates(IReadOnlyList<PluginBlock> blocks)
    {
        var duplicate = blocks.GroupBy(b => (b.Kind, b.Name)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"duplicate {ExternalPluginLauncher.KindName(duplicate.Key.Kind)} plugin block \"{duplicate.Key.Name}\"", nameof(blocks));
    }

    private async Task StopAsync(ManagedPlugin plugin)
    {
        _logger.Hclog(LogLevel.Information, "shutting down plugin", ("plugin_name", plugin.Block.Name));
        try
        {
            await plugin.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.Hclog(LogLevel.Warning, "error while shutting down plugin", ("plugin_name", plugin.Block.Name), ("error", ex.Message));
        }
    }

    /// <summary>Stops every plugin (Shutdown RPC, 2 s grace, then SIGKILL), concurrently, and removes the socket directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _changeLock.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            var plugins = _plugins.Values.ToList();
            _plugins = [];
            await Task.WhenAll(plugins.Select(StopAsync)).ConfigureAwait(false);
            if (_socketDir.IsValueCreated)
            {
                try
                {
                    Directory.Delete(_socketDir.Value, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
        finally
        {
            _changeLock.Exit();
        }
    }
}
