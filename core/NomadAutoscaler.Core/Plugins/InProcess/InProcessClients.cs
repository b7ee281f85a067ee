using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins.InProcess;

/// <summary>The engine-facing clients of an in-process plugin; one object implements all three, the manager hands out
/// only the interface of the plugin's kind.</summary>
internal sealed class InProcessClients(InProcessPlugin plugin) : IApmClient, IStrategyClient, ITargetClient
{
    public string PluginName => plugin.Block.Name;

    private PluginKind Kind => plugin.Block.Kind;

    public Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
        => InProcessCall.InvokeAsync(PluginName, Kind, "Query", PluginMetrics.ApmQuery, false,
            ct => plugin.Plugin.QueryAsync(query, ct), cancellationToken);

    public Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
        => InProcessCall.InvokeAsync(PluginName, Kind, "QueryMultiple", PluginMetrics.ApmQuery, false,
            ct => plugin.Plugin.QueryMultipleAsync(query, ct), cancellationToken);

    public Task<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => InProcessCall.InvokeAsync(PluginName, Kind, "Run", PluginMetrics.StrategyRun, false,
            ct => plugin.Plugin.RunAsync(request, ct), cancellationToken);

    public async Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        // In-process calls have no gRPC deadline; the timeout key bounds them the same way.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (config.TryGetValue(ITargetClient.GrpcTimeoutKey, out var text) && GoDuration.TryParse(text, out var timeout) && timeout > TimeSpan.Zero)
            deadline.CancelAfter(timeout);
        try
        {
            return await InProcessCall.InvokeAsync(PluginName, Kind, "Status", PluginMetrics.TargetStatus, false,
                ct => plugin.Plugin.GetStatusAsync(new PluginSettings(config), ct), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PluginTimeoutException(PluginName, Kind, $"target plugin \"{PluginName}\" Status timed out");
        }
    }

    public async Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        try
        {
            await InProcessCall.InvokeAsync(PluginName, Kind, "Scale", PluginMetrics.TargetScale, true,
                async ct =>
                {
                    await plugin.Plugin.ScaleAsync(action, new PluginSettings(config), ct).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
            return ScaleOutcome.Scaled;
        }
        catch (PluginException ex) when (ex.StatusCode == Grpc.Core.StatusCode.Aborted)
        {
            return ScaleOutcome.NoOpBecause((ex.InnerException as ScalingNoOpException)?.Message);
        }
    }
}
