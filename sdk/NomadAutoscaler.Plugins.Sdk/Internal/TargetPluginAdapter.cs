using System.Diagnostics.CodeAnalysis;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

internal sealed class TargetPluginAdapter<[DynamicallyAccessedMembers(OptionsBinder.BoundMembers)] TOptions>(ITargetPlugin<TOptions> plugin)
    : PluginAdapter(plugin)
    where TOptions : class
{
    public override PluginKind Kind => PluginKind.Target;

    public override ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        EnsureConfigured(cancellationToken);
        return plugin.GetStatusAsync(target, cancellationToken);
    }

    public override ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(target);
        EnsureConfigured(cancellationToken);
        return plugin.ScaleAsync(action, target, cancellationToken);
    }

    protected override ValueTask ConfigureAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
        => plugin.ConfigureAsync(OptionsBinder.Bind<TOptions>(config), cancellationToken);
}
