using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

/// <summary>Turns exceptions from plugin code into the statuses of <see cref="RpcErrors"/> and logs unexpected ones.</summary>
internal sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            var mapped = RpcErrors.ToRpcException(exception);
            if (mapped.StatusCode == StatusCode.Internal)
                logger.LogError(exception, "{Method} failed", context.Method);
            else if (mapped.StatusCode != StatusCode.Aborted && mapped.StatusCode != StatusCode.Cancelled)
                logger.LogWarning("{Method} failed: {Error}", context.Method, exception.Message);
            throw mapped;
        }
    }
}
