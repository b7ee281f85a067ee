using Grpc.Core;
using Grpc.Health.V1;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;
using NomadAutoscaler.Plugins.Contracts.Strategy.V1;
using NomadAutoscaler.Plugins.Contracts.Target.V1;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

/// <summary>The plugin server lists its RPCs by hand (fast Native AOT start-up); the generated BindService code from
/// proto/ is the truth. A renamed, added or retyped RPC makes these fail.</summary>
public sealed class PluginServiceBindingsTests
{
    [Fact]
    public void Base_plugin_service() => AssertSame(
        t => PluginServiceBindings.Bind(t, new BaseImpl()), t => BasePluginService.BindService(t, new BaseImpl()));

    [Fact]
    public void Apm_service() => AssertSame(
        t => PluginServiceBindings.Bind(t, new ApmImpl()), t => APMPluginService.BindService(t, new ApmImpl()));

    [Fact]
    public void Strategy_service() => AssertSame(
        t => PluginServiceBindings.Bind(t, new StrategyImpl()), t => StrategyPluginService.BindService(t, new StrategyImpl()));

    [Fact]
    public void Target_service() => AssertSame(
        t => PluginServiceBindings.Bind(t, new TargetImpl()), t => TargetPluginService.BindService(t, new TargetImpl()));

    [Fact]
    public void Health_service() => AssertSame(
        t => PluginServiceBindings.Bind(t, new HealthImpl()), t => Health.BindService(t, new HealthImpl()));

    [Fact]
    public void Go_plugin_services()
    {
        AssertSame(t => PluginServiceBindings.Bind(t, new ControllerImpl()), t => GRPCController.BindService(t, new ControllerImpl()));
        AssertSame(t => PluginServiceBindings.Bind(t, new StdioImpl()), t => GRPCStdio.BindService(t, new StdioImpl()));
        AssertSame(t => PluginServiceBindings.Bind(t, new BrokerImpl()), t => GRPCBroker.BindService(t, new BrokerImpl()));
    }

    private static void AssertSame(Action<GrpcMethodTable> byHand, Action<GrpcMethodTable> generated)
    {
        var hand = new GrpcMethodTable();
        byHand(hand);
        var truth = new GrpcMethodTable();
        generated(truth);
        Assert.NotEmpty(truth.Describe());
        Assert.Equal(truth.Describe().OrderBy(p => p.Key, StringComparer.Ordinal), hand.Describe().OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    private sealed class BaseImpl : BasePluginService.BasePluginServiceBase;

    private sealed class ApmImpl : APMPluginService.APMPluginServiceBase;

    private sealed class StrategyImpl : StrategyPluginService.StrategyPluginServiceBase;

    private sealed class TargetImpl : TargetPluginService.TargetPluginServiceBase;

    private sealed class HealthImpl : Health.HealthBase;

    private sealed class ControllerImpl : GRPCController.GRPCControllerBase;

    private sealed class StdioImpl : GRPCStdio.GRPCStdioBase;

    private sealed class BrokerImpl : GRPCBroker.GRPCBrokerBase;
}
