using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.TestPlugins;

/// <summary>A cluster target whose instances are the pool's Nomad nodes (remote ID = node name): Status counts the
/// live members after drain hygiene; a scale-in goes through <see cref="ClusterScaleIn"/> and "deletes" a drained node
/// by purging it; a scale-out reclaims scale-in drains first and appends <c>boot N</c> to <c>boot_log</c> for the rest
/// (nothing can boot a simulated node from outside).</summary>
[Plugin("pool-target")]
public sealed class PoolTarget(ILogger<PoolTarget> logger, TimeProvider timeProvider) : ITargetPlugin<PoolTargetOptions>
{
    private NomadClient? _client;
    private string? _bootLog;

    public ValueTask ConfigureAsync(PoolTargetOptions options, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _client, new NomadClient(options.ToClientOptions(), timeProvider: timeProvider, logger: logger))?.Dispose();
        _bootLog = options.BootLog;
        return ValueTask.CompletedTask;
    }

    private NomadClient Client => _client ?? throw new InvalidOperationException("pool-target is not configured");

    private ClusterScaleIn Helper() => new(Client, node => node.Name, logger, timeProvider);

    public async ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        var options = ClusterScaleInOptions.FromConfig(target);
        try
        {
            await Helper().RestoreLeftoverNodesAsync(options.Pool, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex)
        {
            logger.LogWarning("drain hygiene failed: error={Error}", ex.Message);
        }

        return new TargetStatus(true, await CountAsync(options.Pool, cancellationToken).ConfigureAwait(false));
    }

    private async Task<long> CountAsync(NodePoolIdentifier pool, CancellationToken cancellationToken)
        => (await Client.ListNodesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value
            .Count(n => pool.Matches(n.NodeClass, n.Datacenter, n.NodePool) && n.Status is "ready" or "initializing");

    public async ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var options = ClusterScaleInOptions.FromConfig(target);
        var current = await CountAsync(options.Pool, cancellationToken).ConfigureAwait(false);
        var helper = Helper();
        if (action.Count > current)
        {
            var wanted = (int)(action.Count - current);
            var reclaimed = await helper.CancelScaleInDrainsAsync(options.Pool, wanted, cancellationToken).ConfigureAwait(false);
            if (wanted > reclaimed.Count && _bootLog is { } path)
                await File.AppendAllTextAsync(path, string.Create(CultureInfo.InvariantCulture, $"boot {wanted - reclaimed.Count}\n"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (action.Count == current) throw new ScalingNoOpException($"pool already has {current} nodes");
        IReadOnlyList<ClusterNode> drained;
        try
        {
            drained = await helper.RunPreScaleInTasksAsync(options, (int)(current - action.Count), null, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterScaleException ex) when (ex.NothingRemovable)
        {
            throw new ScalingNoOpException(ex.Message, ex);
        }

        await helper.PurgeAsync(drained, cancellationToken).ConfigureAwait(false);
        await helper.RunPostScaleInTasksAsync(options, drained, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Configuration of <see cref="PoolTarget"/>: the Nomad connection, and where scale-outs are recorded.</summary>
public sealed class PoolTargetOptions : NomadPluginOptions
{
    /// <summary>A file that gets <c>boot N</c> appended whenever a scale-out would boot N new nodes.</summary>
    public string? BootLog { get; set; }
}
