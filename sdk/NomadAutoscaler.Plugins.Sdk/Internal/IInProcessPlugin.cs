namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>A plugin instance driven directly, without gRPC: what the agent uses for in-process (McMaster-loaded) plugins
/// and what the SDK's own gRPC services call. Uses only SDK and BCL types so it crosses load contexts.</summary>
/// <remarks>Errors surface as the same exceptions the gRPC server maps to status codes: <see cref="PluginConfigException"/>,
/// <see cref="ScalingNoOpException"/>, <see cref="OperationCanceledException"/>, <see cref="PluginNotConfiguredException"/>,
/// and anything the plugin throws. Disposing disposes the plugin object when it is disposable.</remarks>
internal interface IInProcessPlugin : IAsyncDisposable
{
    /// <summary>The plugin id from <see cref="PluginAttribute"/>.</summary>
    string Name { get; }

    /// <summary>The kind, fixed by the interface the plugin implements.</summary>
    PluginKind Kind { get; }

    /// <summary>The plugin object itself.</summary>
    object Instance { get; }

    /// <summary>Binds and validates <paramref name="config"/>, then calls the plugin's ConfigureAsync.</summary>
    ValueTask SetConfigAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken);

    /// <summary>APM Query.</summary>
    ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken);

    /// <summary>APM QueryMultiple.</summary>
    ValueTask<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken);

    /// <summary>Strategy Run. The returned direction is always a defined value.</summary>
    ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken);

    /// <summary>Target Status; null when the target does not exist.</summary>
    ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken);

    /// <summary>Target Scale.</summary>
    ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken);
}
