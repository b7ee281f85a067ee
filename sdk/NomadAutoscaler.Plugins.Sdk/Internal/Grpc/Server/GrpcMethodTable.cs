using Google.Protobuf;
using Grpc.Core;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

/// <summary>The methods a plugin serves, keyed by their HTTP/2 path. The plugin server fills it through the
/// non-virtual <c>Add*</c> methods (<see cref="PluginServiceBindings"/>); the <see cref="ServiceBinderBase"/> overrides take
/// generated <c>BindService</c> code too, which tests use to check the two agree. Generated code calls them as generic
/// virtual methods, which Native AOT resolves at run time by building types: ~3 ms of a plugin's start-up.</summary>
internal sealed class GrpcMethodTable : ServiceBinderBase
{
    private readonly Dictionary<string, GrpcMethodHandler> _handlers = new(StringComparer.Ordinal);

    public bool TryGetHandler(string path, out GrpcMethodHandler handler)
        => _handlers.TryGetValue(path, out handler!);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        => Add(method, handler, static (m, h) => new UnaryHandler<TRequest, TResponse>(m, h));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        => Add(method, handler, static (m, h) => new ServerStreamingHandler<TRequest, TResponse>(m, h));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        => Add(method, handler, static (m, h) => new DuplexStreamingHandler<TRequest, TResponse>(m, h));

    public void AddUnary<TRequest, TResponse>(string service, string name, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IBufferMessage, IMessage<TRequest>, new()
        where TResponse : class, IBufferMessage, IMessage<TResponse>, new()
        => Add(Describe<TRequest, TResponse>(MethodType.Unary, service, name), handler, static (m, h) => new UnaryHandler<TRequest, TResponse>(m, h));

    public void AddServerStreaming<TRequest, TResponse>(string service, string name, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IBufferMessage, IMessage<TRequest>, new()
        where TResponse : class, IBufferMessage, IMessage<TResponse>, new()
        => Add(Describe<TRequest, TResponse>(MethodType.ServerStreaming, service, name), handler, static (m, h) => new ServerStreamingHandler<TRequest, TResponse>(m, h));

    public void AddDuplexStreaming<TRequest, TResponse>(string service, string name, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IBufferMessage, IMessage<TRequest>, new()
        where TResponse : class, IBufferMessage, IMessage<TResponse>, new()
        => Add(Describe<TRequest, TResponse>(MethodType.DuplexStreaming, service, name), handler, static (m, h) => new DuplexStreamingHandler<TRequest, TResponse>(m, h));

    /// <summary>The path and signature of every method, for comparing two tables.</summary>
    public IReadOnlyDictionary<string, string> Describe()
        => _handlers.ToDictionary(pair => pair.Key, pair => pair.Value.Signature, StringComparer.Ordinal);

    private static Method<TRequest, TResponse> Describe<TRequest, TResponse>(MethodType type, string service, string name)
        where TRequest : class, IBufferMessage, IMessage<TRequest>, new()
        where TResponse : class, IBufferMessage, IMessage<TResponse>, new()
        => new(type, service, name, ProtobufMarshaller<TRequest>.Instance, ProtobufMarshaller<TResponse>.Instance);

    private void Add<TRequest, TResponse, THandler>(
        Method<TRequest, TResponse> method, THandler? handler, Func<Method<TRequest, TResponse>, THandler, GrpcMethodHandler> create)
        where TRequest : class
        where TResponse : class
        where THandler : Delegate
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_handlers.TryAdd(method.FullName, create(method, handler)))
            throw new InvalidOperationException($"gRPC method {method.FullName} is bound twice");
    }
}

/// <summary>Runs one kind of gRPC method against a call: reads its requests, invokes the service code, writes its
/// responses. Status and errors are the dispatcher's job.</summary>
internal abstract class GrpcMethodHandler
{
    public abstract MethodType Type { get; }

    /// <summary>The kind and message types, e.g. for checking hand-written bindings against generated ones.</summary>
    public abstract string Signature { get; }

    public abstract Task HandleAsync(GrpcServerCall call);
}

/// <summary>The parts every handler kind shares: the method descriptor and a signature from its message types.</summary>
internal abstract class GrpcMethodHandler<TRequest, TResponse>(Method<TRequest, TResponse> method) : GrpcMethodHandler
    where TRequest : class
    where TResponse : class
{
    protected Method<TRequest, TResponse> Method { get; } = method;

    public override string Signature => $"{Type} {typeof(TRequest).FullName} -> {typeof(TResponse).FullName}";

    protected async Task<TRequest> ReadSingleRequestAsync(GrpcServerCall call)
    {
        var marshaller = Method.RequestMarshaller;
        var reader = call.RequestBody;
        var request = await GrpcFraming.ReadMessageAsync(reader, marshaller, call.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.Internal, "the request stream ended without a message"));
        if (await GrpcFraming.ReadMessageAsync(reader, marshaller, call.CancellationToken) is not null)
            throw new RpcException(new Status(StatusCode.Internal, "a call that takes one request message received more"));
        return request;
    }
}

internal sealed class UnaryHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
    : GrpcMethodHandler<TRequest, TResponse>(method)
    where TRequest : class
    where TResponse : class
{
    public override MethodType Type => MethodType.Unary;

    public override async Task HandleAsync(GrpcServerCall call)
    {
        var request = await ReadSingleRequestAsync(call);
        var response = await handler(request, call);
        await call.WriteMessageAsync(Method.ResponseMarshaller, response, flush: false);
    }
}

internal sealed class ServerStreamingHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
    : GrpcMethodHandler<TRequest, TResponse>(method)
    where TRequest : class
    where TResponse : class
{
    public override MethodType Type => MethodType.ServerStreaming;

    public override async Task HandleAsync(GrpcServerCall call)
    {
        var request = await ReadSingleRequestAsync(call);
        await handler(request, new GrpcResponseStream<TResponse>(call, Method.ResponseMarshaller), call);
    }
}

internal sealed class DuplexStreamingHandler<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
    : GrpcMethodHandler<TRequest, TResponse>(method)
    where TRequest : class
    where TResponse : class
{
    public override MethodType Type => MethodType.DuplexStreaming;

    public override Task HandleAsync(GrpcServerCall call)
        => handler(
            new GrpcRequestStream<TRequest>(call, Method.RequestMarshaller),
            new GrpcResponseStream<TResponse>(call, Method.ResponseMarshaller),
            call);
}

internal sealed class GrpcRequestStream<T>(GrpcServerCall call, Marshaller<T> marshaller) : IAsyncStreamReader<T>
    where T : class
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        _current = await GrpcFraming.ReadMessageAsync(call.RequestBody, marshaller, linked?.Token ?? call.CancellationToken);
        return _current is not null;
    }
}

internal sealed class GrpcResponseStream<T>(GrpcServerCall call, Marshaller<T> marshaller) : IServerStreamWriter<T>
    where T : class
{
    public WriteOptions? WriteOptions { get; set; }

    public async Task WriteAsync(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        await call.WriteMessageAsync(marshaller, message, flush: true);
    }
}

/// <summary>Protobuf messages on gRPC's serialization contexts, the way generated marshallers do it: size first, then
/// written straight into the response pipe.</summary>
internal static class ProtobufMarshaller<T>
    where T : class, IBufferMessage, IMessage<T>, new()
{
    private static readonly MessageParser<T> Parser = new(static () => new T());

    public static readonly Marshaller<T> Instance = new(Serialize, Deserialize);

    private static void Serialize(T message, SerializationContext context)
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static T Deserialize(DeserializationContext context) => Parser.ParseFrom(context.PayloadAsReadOnlySequence());
}
