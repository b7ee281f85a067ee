using System.Diagnostics.CodeAnalysis;
using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>A target plugin: reads and changes the count of something scalable.</summary>
/// <typeparam name="TOptions">The plugin's configuration, bound from the agent's plugin block (see the package README for the rules).</typeparam>
public interface ITargetPlugin<[DynamicallyAccessedMembers(OptionsBinder.BoundMembers)] in TOptions> : IPlugin
    where TOptions : class
{
    /// <summary>Applies configuration. Called before any other method, and again when the agent reloads.</summary>
    ValueTask ConfigureAsync(TOptions options, CancellationToken cancellationToken);

    /// <summary>Reads the target's state. Return null when the target does not exist (yet); over gRPC that is
    /// answered with status <c>NOT_FOUND</c>.</summary>
    ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken);

    /// <summary>Applies an action. Throw <see cref="ScalingNoOpException"/> when nothing needed doing.</summary>
    ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken);

    PluginAdapter IPlugin.CreateAdapter() => new TargetPluginAdapter<TOptions>(this);
}
