using System.Diagnostics.CodeAnalysis;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

internal sealed class StrategyPluginAdapter<[DynamicallyAccessedMembers(OptionsBinder.BoundMembers)] TOptions>(IStrategyPlugin<TOptions> plugin)
    : PluginAdapter(plugin)
    where TOptions : class
{
    public override PluginKind Kind => PluginKind.Strategy;

    public override async ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureConfigured(cancellationToken);
        var action = await plugin.RunAsync(request, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"strategy {Name} returned no action");
        // The agent rejects SCALING_DIRECTION_UNSPECIFIED; catch a cast-in value here with a message naming the plugin.
        if (!Enum.IsDefined(action.Direction))
            throw new InvalidOperationException($"strategy {Name} returned an action without a valid direction ({(int)action.Direction})");
        return action;
    }

    protected override ValueTask ConfigureAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
        => plugin.ConfigureAsync(OptionsBinder.Bind<TOptions>(config), cancellationToken);
}
