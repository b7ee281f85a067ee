using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Plugins.External;
using NomadAutoscaler.Core.Plugins.InProcess;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>One loaded plugin of the manager, external or in-process, with the client the engine uses.</summary>
internal abstract class ManagedPlugin : IAsyncDisposable
{
    public abstract PluginBlock Block { get; }

    /// <summary>Implements the one client interface of <see cref="PluginBlock.Kind"/>.</summary>
    public abstract object Client { get; }

    /// <summary>The running process id of an external plugin; null in-process or while restarting.</summary>
    public abstract int? ProcessId { get; }

    /// <summary>How often the supervisor has relaunched the plugin after a crash.</summary>
    public virtual int Restarts => 0;

    public abstract Task ReconfigureAsync(PluginBlock block, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    public static async Task<ManagedPlugin> LaunchAsync(PluginBlock block, PluginHostOptions options, ExternalPluginLauncher launcher,
        ILoggerFactory loggerFactory, ILogger managerLogger, CancellationToken cancellationToken)
    {
        if (block.Mode == PluginLoadMode.InProcess)
        {
            var loaded = await InProcessPlugin.LoadAsync(block, options, loggerFactory, cancellationToken).ConfigureAwait(false);
            return new InProcessManaged(loaded);
        }

        var plugin = new ExternalPlugin(block, launcher, options, managerLogger);
        try
        {
            await plugin.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await plugin.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ExternalManaged(plugin);
    }

    private sealed class ExternalManaged : ManagedPlugin
    {
        private readonly ExternalPlugin _plugin;

        public ExternalManaged(ExternalPlugin plugin)
        {
            _plugin = plugin;
            Client = plugin.Kind switch
            {
                NomadAutoscaler.Plugins.Sdk.PluginKind.Apm => new GrpcApmClient(plugin),
                NomadAutoscaler.Plugins.Sdk.PluginKind.Strategy => new GrpcStrategyClient(plugin),
                _ => new GrpcTargetClient(plugin),
            };
        }

        public override PluginBlock Block => _plugin.Block;

        public override object Client { get; }

        public override int? ProcessId => _plugin.Supervisor.CurrentOrNull()?.ProcessId;

        public override int Restarts => _plugin.Supervisor.RestartCount;

        public ExternalPlugin Plugin => _plugin;

        public override Task ReconfigureAsync(PluginBlock block, CancellationToken cancellationToken) => _plugin.ReconfigureAsync(block, cancellationToken);

        public override ValueTask DisposeAsync() => _plugin.DisposeAsync();
    }

    private sealed class InProcessManaged(InProcessPlugin plugin) : ManagedPlugin
    {
        public override PluginBlock Block => plugin.Block;

        public override object Client { get; } = new InProcessClients(plugin);

        public override int? ProcessId => null;

        public override Task ReconfigureAsync(PluginBlock block, CancellationToken cancellationToken) => plugin.SetConfigAsync(block, cancellationToken);

        public override ValueTask DisposeAsync() => plugin.DisposeAsync();
    }
}
