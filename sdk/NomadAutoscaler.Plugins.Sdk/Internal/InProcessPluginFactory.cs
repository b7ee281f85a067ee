using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>Creates plugin instances for in-process use (the agent's McMaster-loaded plugins) and for the gRPC host.
/// The plugin's constructor may take <see cref="ILogger{TCategoryName}"/>, <see cref="ILoggerFactory"/> and
/// <see cref="TimeProvider"/>.</summary>
internal static class InProcessPluginFactory
{
    public static IInProcessPlugin Create(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type pluginType,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(pluginType);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!typeof(IPlugin).IsAssignableFrom(pluginType) || pluginType.IsAbstract)
            throw new InvalidOperationException(
                $"{pluginType.FullName} is not a plugin: it must be a concrete class implementing IApmPlugin<T>, IStrategyPlugin<T> or ITargetPlugin<T>");
        PluginAdapter.NameOf(pluginType);

        using var services = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton(timeProvider)
            .BuildServiceProvider();
        return Create(pluginType, services);
    }

    /// <summary>Creates the plugin with constructor arguments from <paramref name="services"/>.</summary>
    public static IInProcessPlugin Create(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type pluginType,
        IServiceProvider services)
    {
        var instance = ActivatorUtilities.CreateInstance(services, pluginType);
        if (instance is not IPlugin plugin)
            throw new InvalidOperationException($"{pluginType.FullName} does not implement a plugin interface");
        return plugin.CreateAdapter();
    }
}
