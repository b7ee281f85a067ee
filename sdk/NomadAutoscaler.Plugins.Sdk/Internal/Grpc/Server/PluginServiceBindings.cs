using Grpc.Health.V1;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;
using NomadAutoscaler.Plugins.Contracts.Strategy.V1;
using NomadAutoscaler.Plugins.Contracts.Target.V1;
using ProtoEmpty = Google.Protobuf.WellKnownTypes.Empty;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

/// <summary>Every service a plugin serves, listed by hand instead of through generated <c>BindService</c> (see
/// <see cref="GrpcMethodTable"/> for why). The names are the wire contract of proto/; PluginServiceBindingsTests
/// checks each list against the generated code, so a renamed or added RPC fails the build's tests.</summary>
internal static class PluginServiceBindings
{
    public const string BasePluginService = "hashicorp.nomad_autoscaler.plugins.base.proto.v1.BasePluginService";
    public const string ApmService = "hashicorp.nomad_autoscaler.plugins.apm.proto.v1.APMPluginService";
    public const string StrategyService = "hashicorp.nomad_autoscaler.plugins.strategy.proto.v1.StrategyPluginService";
    public const string TargetService = "hashicorp.nomad_autoscaler.plugins.target.proto.v1.TargetPluginService";
    public const string HealthService = "grpc.health.v1.Health";
    public const string ControllerService = "plugin.GRPCController";
    public const string StdioService = "plugin.GRPCStdio";
    public const string BrokerService = "plugin.GRPCBroker";

    public static void Bind(GrpcMethodTable methods, BasePluginService.BasePluginServiceBase service)
    {
        methods.AddUnary<PluginInfoRequest, PluginInfoResponse>(BasePluginService, "PluginInfo", service.PluginInfo);
        methods.AddUnary<SetConfigRequest, SetConfigResponse>(BasePluginService, "SetConfig", service.SetConfig);
    }

    public static void Bind(GrpcMethodTable methods, APMPluginService.APMPluginServiceBase service)
    {
        methods.AddUnary<QueryRequest, QueryResponse>(ApmService, "Query", service.Query);
        methods.AddUnary<QueryMultipleRequest, QueryMultipleResponse>(ApmService, "QueryMultiple", service.QueryMultiple);
    }

    public static void Bind(GrpcMethodTable methods, StrategyPluginService.StrategyPluginServiceBase service)
        => methods.AddUnary<RunRequest, RunResponse>(StrategyService, "Run", service.Run);

    public static void Bind(GrpcMethodTable methods, TargetPluginService.TargetPluginServiceBase service)
    {
        methods.AddUnary<ScaleRequest, ScaleResponse>(TargetService, "Scale", service.Scale);
        methods.AddUnary<StatusRequest, StatusResponse>(TargetService, "Status", service.Status);
    }

    public static void Bind(GrpcMethodTable methods, Health.HealthBase service)
    {
        methods.AddUnary<HealthCheckRequest, HealthCheckResponse>(HealthService, "Check", service.Check);
        methods.AddServerStreaming<HealthCheckRequest, HealthCheckResponse>(HealthService, "Watch", service.Watch);
    }

    public static void Bind(GrpcMethodTable methods, GRPCController.GRPCControllerBase service)
        => methods.AddUnary<Contracts.GoPlugin.Empty, Contracts.GoPlugin.Empty>(ControllerService, "Shutdown", service.Shutdown);

    public static void Bind(GrpcMethodTable methods, GRPCStdio.GRPCStdioBase service)
        => methods.AddServerStreaming<ProtoEmpty, StdioData>(StdioService, "StreamStdio", service.StreamStdio);

    public static void Bind(GrpcMethodTable methods, GRPCBroker.GRPCBrokerBase service)
        => methods.AddDuplexStreaming<ConnInfo, ConnInfo>(BrokerService, "StartStream", service.StartStream);
}
