using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

/// <summary>Maps exceptions from plugin code to the gRPC statuses the agent understands.</summary>
internal static class RpcErrors
{
    public static RpcException ToRpcException(Exception exception) => exception switch
    {
        RpcException rpc => rpc,
        PluginConfigException config => InvalidArgument(config),
        ScalingNoOpException noOp => new RpcException(new global::Grpc.Core.Status(StatusCode.Aborted, noOp.Message)),
        OperationCanceledException => new RpcException(new global::Grpc.Core.Status(StatusCode.Cancelled, "the call was cancelled")),
        PluginNotConfiguredException notConfigured => new RpcException(new global::Grpc.Core.Status(StatusCode.FailedPrecondition, notConfigured.Message)),
        NotSupportedException notSupported => new RpcException(new global::Grpc.Core.Status(StatusCode.Unimplemented, notSupported.Message)),
        // Message only: stack traces could leak internals to the agent's log and API.
        _ => new RpcException(new global::Grpc.Core.Status(StatusCode.Internal, exception.Message)),
    };

    private static RpcException InvalidArgument(PluginConfigException exception)
    {
        var badRequest = new BadRequest();
        foreach (var violation in exception.Violations)
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = violation.Key, Description = violation.Problem });
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = exception.Message,
        };
        if (badRequest.FieldViolations.Count > 0) status.Details.Add(Any.Pack(badRequest));
        return status.ToRpcException();
    }
}
