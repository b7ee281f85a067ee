using System.Diagnostics.CodeAnalysis;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

internal sealed class ApmPluginAdapter<[DynamicallyAccessedMembers(OptionsBinder.BoundMembers)] TOptions>(IApmPlugin<TOptions> plugin)
    : PluginAdapter(plugin)
    where TOptions : class
{
    public override PluginKind Kind => PluginKind.Apm;

    public override async ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureConfigured(cancellationToken);
        return await plugin.QueryAsync(query, cancellationToken).ConfigureAwait(false) ?? [];
    }

    public override async ValueTask<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureConfigured(cancellationToken);
        return await plugin.QueryMultipleAsync(query, cancellationToken).ConfigureAwait(false) ?? [];
    }

    protected override ValueTask ConfigureAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
        => plugin.ConfigureAsync(OptionsBinder.Bind<TOptions>(config), cancellationToken);
}
