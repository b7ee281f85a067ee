using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The common base of <see cref="IApmPlugin{TOptions}"/>, <see cref="IStrategyPlugin{TOptions}"/> and
/// <see cref="ITargetPlugin{TOptions}"/>. Implement exactly one of those; this interface cannot be implemented on its own.</summary>
/// <remarks>A class that implements two plugin interfaces does not compile (ambiguous <see cref="IPlugin"/> implementation),
/// which is how the SDK guarantees that every plugin has exactly one kind.</remarks>
public interface IPlugin
{
    // Each kind interface supplies this; it is how the SDK reaches the author's TOptions without reflection over generics.
    internal PluginAdapter CreateAdapter();
}
