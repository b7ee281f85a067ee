using Grpc.Core;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>An external plugin under supervision: launch + SetConfig, restarted with backoff after a crash.</summary>
internal sealed class ExternalPlugin : IPluginChannelSource, IAsyncDisposable
{
    private readonly ExternalPluginLauncher _launcher;
    private readonly PluginSupervisor<ExternalPluginConnection> _supervisor;
    private PluginBlock _block;

    public ExternalPlugin(PluginBlock block, ExternalPluginLauncher launcher, PluginHostOptions options, ILogger logger)
    {
        _block = block;
        _launcher = launcher;
        _supervisor = new PluginSupervisor<ExternalPluginConnection>(block.Name, block.Kind, LaunchAndConfigureAsync, options, logger);
    }

    public string Name => _block.Name;

    public PluginKind Kind => _block.Kind;

    public PluginBlock Block => _block;

    public PluginSupervisor<ExternalPluginConnection> Supervisor => _supervisor;

    public Task StartAsync(CancellationToken cancellationToken) => _supervisor.StartAsync(cancellationToken);

    public (CallInvoker Invoker, CancellationToken Lifetime) Acquire()
    {
        var connection = _supervisor.Current();
        return (connection.CallInvoker, connection.Lifetime);
    }

    /// <summary>Applies a new config (reload). While the plugin is restarting, the next launch uses it.</summary>
    public async Task ReconfigureAsync(PluginBlock block, CancellationToken cancellationToken)
    {
        _block = block;
        var connection = _supervisor.CurrentOrNull();
        if (connection is not null) await SetConfigAsync(connection, block, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ExternalPluginConnection> LaunchAndConfigureAsync(CancellationToken cancellationToken)
    {
        var block = _block;
        var connection = await _launcher.LaunchAsync(block, cancellationToken).ConfigureAwait(false);
        try
        {
            await SetConfigAsync(connection, block, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Kill();
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task SetConfigAsync(ExternalPluginConnection connection, PluginBlock block, CancellationToken cancellationToken)
    {
        var request = new SetConfigRequest();
        foreach (var (key, value) in block.Config) request.Config[key] = value;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Lifetime);
        try
        {
            await new BasePluginService.BasePluginServiceClient(connection.CallInvoker)
                .SetConfigAsync(request, cancellationToken: linked.Token).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw PluginErrors.FromRpc(ex, block.Name, block.Kind, "SetConfig", cancellationToken, connection.Lifetime);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw PluginErrors.Exited(block.Name, block.Kind, "SetConfig");
        }
    }

    public ValueTask DisposeAsync() => _supervisor.DisposeAsync();
}
