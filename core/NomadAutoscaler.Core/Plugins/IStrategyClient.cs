using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>The engine's view of a strategy plugin. Failures throw <see cref="PluginException"/>.</summary>
internal interface IStrategyClient
{
    string PluginName { get; }

    /// <summary>Runs the strategy. A reply without a direction is an error (<see cref="PluginException"/>), as in upstream.</summary>
    Task<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken);
}
