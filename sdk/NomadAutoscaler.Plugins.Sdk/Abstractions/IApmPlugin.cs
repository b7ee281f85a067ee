using System.Diagnostics.CodeAnalysis;
using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>An APM plugin: answers metric queries.</summary>
/// <typeparam name="TOptions">The plugin's configuration, bound from the agent's plugin block (see the package README for the rules).</typeparam>
public interface IApmPlugin<[DynamicallyAccessedMembers(OptionsBinder.BoundMembers)] in TOptions> : IPlugin
    where TOptions : class
{
    /// <summary>Applies configuration. Called before any other method, and again when the agent reloads.</summary>
    ValueTask ConfigureAsync(TOptions options, CancellationToken cancellationToken);

    /// <summary>Runs a query that must produce a single series.</summary>
    ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken);

    /// <summary>Runs a query that may produce several series. By default it returns the single series of <see cref="QueryAsync"/>.</summary>
    async ValueTask<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
        => [await QueryAsync(query, cancellationToken).ConfigureAwait(false)];

    PluginAdapter IPlugin.CreateAdapter() => new ApmPluginAdapter<TOptions>(this);
}
