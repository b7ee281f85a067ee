using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

namespace NomadAutoscaler.Plugins.Sdk.Tests.Interop;

/// <summary>grpc.testing.TestService's method shapes, for both sides of the ported interop cases.
/// UnimplementedCall is declared but never bound, as on an interop server; StreamingInputCall (client streaming) is
/// left out because the plugin server has no client-streaming methods.</summary>
internal static class TestServiceMethods
{
    public const string Service = "grpc.testing.TestService";

    public static readonly Method<Empty, Empty> EmptyCall = new(MethodType.Unary, Service, "EmptyCall", Empty.Marshaller, Empty.Marshaller);

    public static readonly Method<SimpleRequest, SimpleResponse> UnaryCall
        = new(MethodType.Unary, Service, "UnaryCall", SimpleRequest.Marshaller, SimpleResponse.Marshaller);

    public static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> StreamingOutputCall
        = new(MethodType.ServerStreaming, Service, "StreamingOutputCall", StreamingOutputCallRequest.Marshaller, StreamingOutputCallResponse.Marshaller);

    public static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> FullDuplexCall
        = new(MethodType.DuplexStreaming, Service, "FullDuplexCall", StreamingOutputCallRequest.Marshaller, StreamingOutputCallResponse.Marshaller);

    public static readonly Method<Empty, Empty> UnimplementedCall = new(MethodType.Unary, Service, "UnimplementedCall", Empty.Marshaller, Empty.Marshaller);

    public static readonly Method<Empty, Empty> UnimplementedServiceCall
        = new(MethodType.Unary, "grpc.testing.UnimplementedService", "UnimplementedCall", Empty.Marshaller, Empty.Marshaller);
}

/// <summary>The server features of the interop spec the ported cases need: EmptyCall, UnaryCall, StreamingOutputCall,
/// FullDuplexCall, Echo Status, Echo Metadata and CompressedRequest's probe. It also reports how each duplex call
/// ended, so a test can see the handler's cancellation token fire.</summary>
internal sealed class InteropTestService
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    /// <summary>Completes when a FullDuplexCall handler has started, i.e. the request headers reached the server.</summary>
    public TaskCompletionSource DuplexStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with true when a FullDuplexCall handler's cancellation token fired before it ended.</summary>
    public TaskCompletionSource<bool> DuplexTokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Bind(GrpcMethodTable methods)
    {
        methods.AddMethod(TestServiceMethods.EmptyCall, (UnaryServerMethod<Empty, Empty>)((_, _) => Task.FromResult(new Empty())));
        methods.AddMethod(TestServiceMethods.UnaryCall, (UnaryServerMethod<SimpleRequest, SimpleResponse>)UnaryCall);
        methods.AddMethod(TestServiceMethods.StreamingOutputCall, (ServerStreamingServerMethod<StreamingOutputCallRequest, StreamingOutputCallResponse>)StreamingOutputCall);
        methods.AddMethod(TestServiceMethods.FullDuplexCall, (DuplexStreamingServerMethod<StreamingOutputCallRequest, StreamingOutputCallResponse>)FullDuplexCall);
    }

    private static async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        if (request.ResponseStatus is { Code: not 0 } status) throw new RpcException(status.ToStatus());
        // CompressedRequest: a request that asks to be checked for compression but reached the service arrived
        // uncompressed (the server refuses compressed ones before the service sees them).
        if (request.ExpectCompressed == true) throw new RpcException(new Status(StatusCode.InvalidArgument, "expected a compressed request"));
        return new SimpleResponse { Payload = Payload.Zeros(request.ResponseSize) };
    }

    private static async Task StreamingOutputCall(
        StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        foreach (var parameters in request.ResponseParameters)
            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Payload.Zeros(parameters.Size) });
        if (request.ResponseStatus is { Code: not 0 } status) throw new RpcException(status.ToStatus());
    }

    private async Task FullDuplexCall(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        DuplexStarted.TrySetResult();
        try
        {
            await EchoMetadataAsync(context);
            while (await requests.MoveNext(CancellationToken.None))
            {
                var request = requests.Current;
                if (request.ResponseStatus is { Code: not 0 } status) throw new RpcException(status.ToStatus());
                foreach (var parameters in request.ResponseParameters)
                    await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Payload.Zeros(parameters.Size) });
            }
        }
        finally
        {
            DuplexTokenFired.TrySetResult(context.CancellationToken.IsCancellationRequested);
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        if (context.RequestHeaders.Get(EchoInitialKey) is { } initial)
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial.Value } });
        if (context.RequestHeaders.Get(EchoTrailingKey) is { } trailing)
            context.ResponseTrailers.Add(EchoTrailingKey, trailing.ValueBytes);
    }
}
