using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>The engine's view of an APM plugin, external or in-process. Failures throw <see cref="PluginException"/>.</summary>
internal interface IApmClient
{
    string PluginName { get; }

    Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken);
}
