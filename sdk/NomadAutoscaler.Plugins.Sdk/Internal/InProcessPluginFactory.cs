using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>Creates plugin instances for in-process use (the agent's McMaster-loaded plugins) and for the gRPC host.
/// The plugin's constructor may take <see cref="ILogger{TCategoryName}"/>, <see cref="ILogger"/>,
/// <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/>; the public constructor with the most parameters that
/// are all among those is used. No DI container: building one (and its open-generic <c>ILogger&lt;&gt;</c>) cost a
/// Native AOT plugin about a millisecond of start-up for these four types.</summary>
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

        object instance;
        try
        {
            instance = Construct(pluginType, loggerFactory, timeProvider);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            // The plugin's own constructor threw: report that, not the reflection wrapper.
            throw exception.InnerException;
        }

        if (instance is not IPlugin plugin)
            throw new InvalidOperationException($"{pluginType.FullName} does not implement a plugin interface");
        return plugin.CreateAdapter();
    }

    private static object Construct(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type pluginType,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        foreach (var constructor in pluginType.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            var arguments = new object?[parameters.Length];
            var satisfiable = true;
            for (var i = 0; i < parameters.Length && satisfiable; i++)
            {
                arguments[i] = Resolve(parameters[i].ParameterType, pluginType, loggerFactory, timeProvider);
                satisfiable = arguments[i] is not null;
            }

            if (satisfiable) return constructor.Invoke(arguments);
        }

        throw new InvalidOperationException(
            $"{pluginType.FullName} has no public constructor the SDK can call: its parameters may only be ILogger<T>, ILogger, ILoggerFactory and TimeProvider");
    }

    private static object? Resolve(Type parameterType, Type pluginType, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        if (parameterType == typeof(ILoggerFactory)) return loggerFactory;
        if (parameterType == typeof(TimeProvider)) return timeProvider;
        if (parameterType == typeof(ILogger)) return loggerFactory.CreateLogger(pluginType.FullName ?? pluginType.Name);
        if (parameterType.IsGenericType && parameterType.GetGenericTypeDefinition() == typeof(ILogger<>))
            return CreateTypedLogger(parameterType.GetGenericArguments()[0], loggerFactory);
        return null;
    }

    [UnconditionalSuppressMessage("AOT", "IL3050:RequiresDynamicCode",
        Justification = "Logger<T> over a class (every plugin type is one) runs on the shared canonical code Native AOT always compiles; the DI container this replaces built the same type the same way.")]
    private static object CreateTypedLogger(Type category, ILoggerFactory loggerFactory)
    {
        if (category.IsValueType)
            throw new InvalidOperationException($"ILogger<{category.Name}>: the category of a plugin's logger must be a class");
        return Activator.CreateInstance(typeof(Logger<>).MakeGenericType(category), loggerFactory)!;
    }
}
