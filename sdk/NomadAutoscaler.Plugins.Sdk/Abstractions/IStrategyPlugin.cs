using System.Diagnostics.CodeAnalysis;
using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>A strategy plugin: turns a check's metrics and the current count into a scaling action.</summary>
/// <typeparam name="TOptions">The plugin's configuration, bound from the agent's plugin block (see the package README for the rules).</typeparam>
public interface IStrategyPlugin<[DynamicallyAccessedMembers(OptionsBinder.BoundMembers)] in TOptions> : IPlugin
    where TOptions : class
{
    /// <summary>Applies configuration. Called before any other method, and again when the agent reloads.</summary>
    ValueTask ConfigureAsync(TOptions options, CancellationToken cancellationToken);

    /// <summary>Computes the desired action. The direction must be set; <see cref="ScalingDirection.None"/> means no change.</summary>
    ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken);

    PluginAdapter IPlugin.CreateAdapter() => new StrategyPluginAdapter<TOptions>(this);
}
