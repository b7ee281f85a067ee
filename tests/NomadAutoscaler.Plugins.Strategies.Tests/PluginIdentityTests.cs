using System.Reflection;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.TargetValue;

using FixedValue = NomadAutoscaler.Plugins.FixedValue;
using PassThrough = NomadAutoscaler.Plugins.PassThrough;
using Periodic = NomadAutoscaler.Plugins.Periodic;
using Threshold = NomadAutoscaler.Plugins.Threshold;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class PluginIdentityTests
{
    public static TheoryData<Type, string> Plugins => new()
    {
        { typeof(TargetValueStrategy), "target-value" },
        { typeof(Threshold.ThresholdStrategy), "threshold" },
        { typeof(FixedValue.FixedValueStrategy), "fixed-value" },
        { typeof(PassThrough.PassThroughStrategy), "pass-through" },
        { typeof(Periodic.PeriodicStrategy), "periodic" },
    };

    [Theory]
    [MemberData(nameof(Plugins))]
    public void Each_plugin_is_a_strategy_named_after_its_executable(Type plugin, string id)
    {
        Assert.Equal(id, plugin.GetCustomAttribute<PluginAttribute>()?.Name);
        Assert.Equal(id, plugin.Assembly.GetName().Name);
        var strategyInterface = Assert.Single(plugin.GetInterfaces(), i => i.IsGenericType);
        Assert.Equal(typeof(IStrategyPlugin<>), strategyInterface.GetGenericTypeDefinition());
    }
}
