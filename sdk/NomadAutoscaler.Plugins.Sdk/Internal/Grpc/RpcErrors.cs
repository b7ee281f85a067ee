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

    /// <summary>True for the exceptions the runtime throws at code that is wrong (a null dereference, a bad argument, a
    /// bad cast, a missing key), as opposed to a failure of the plugin's work: a cloud or Nomad error, a timeout, or the
    /// plugin's own exception (plugins report expected failures with exception types of their own or
    /// <see cref="InvalidOperationException"/>).</summary>
    public static bool IsBug(Exception exception) => exception is NullReferenceException or ArgumentException
        or IndexOutOfRangeException or InvalidCastException or KeyNotFoundException or NotImplementedException
        or ArithmeticException or FormatException or ObjectDisposedException or InvalidProgramException
        or MissingMemberException or TypeLoadException or OutOfMemoryException;

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
