using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;
using NomadAutoscaler.Plugins.Sdk.Logging;
using GoEmpty = NomadAutoscaler.Plugins.Contracts.GoPlugin.Empty;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

/// <summary>plugin.GRPCController: the host's graceful stop.</summary>
internal sealed class ControllerGrpcService(PluginHostLifetime lifetime, ILogger<ControllerGrpcService> logger)
    : GRPCController.GRPCControllerBase
{
    public override Task<GoEmpty> Shutdown(GoEmpty request, ServerCallContext context)
    {
        logger.Hclog(LogLevel.Information, "shutdown requested by the host");
        // Kestrel's graceful stop lets this in-flight reply finish, so answering after asking to stop is safe.
        lifetime.StopApplication();
        return Task.FromResult(new GoEmpty());
    }
}

/// <summary>plugin.GRPCStdio: .NET plugins never write to stdout after the handshake (Console.Out goes to stderr,
/// which the host reads directly), so there is nothing to forward. The stream stays open and silent until the
/// host hangs up or the plugin stops, which keeps latest go-plugin hosts from logging "stdio service not available".</summary>
internal sealed class StdioGrpcService(PluginHostLifetime lifetime) : GRPCStdio.GRPCStdioBase
{
    public override async Task StreamStdio(Google.Protobuf.WellKnownTypes.Empty request, IServerStreamWriter<StdioData> responseStream, ServerCallContext context)
    {
        await context.WriteResponseHeadersAsync([]);
        await WaitUntilEitherAsync(context.CancellationToken, lifetime.ApplicationStopping);
    }

    internal static async Task WaitUntilEitherAsync(CancellationToken first, CancellationToken second)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(first, second);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (linked.Token.Register(() => done.TrySetResult()))
        {
            await done.Task;
        }
    }
}

/// <summary>plugin.GRPCBroker: the autoscaler never brokers extra connections, so the stream is accepted and drained
/// until the host closes it; any ConnInfo received is ignored.</summary>
internal sealed class BrokerGrpcService(PluginHostLifetime lifetime) : GRPCBroker.GRPCBrokerBase
{
    public override async Task StartStream(IAsyncStreamReader<ConnInfo> requestStream, IServerStreamWriter<ConnInfo> responseStream, ServerCallContext context)
    {
        await context.WriteResponseHeadersAsync([]);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            while (await requestStream.MoveNext(linked.Token))
            {
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (IOException) when (linked.IsCancellationRequested)
        {
        }
    }
}
