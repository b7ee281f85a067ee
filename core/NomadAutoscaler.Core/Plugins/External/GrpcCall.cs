using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>The shared shape of every plugin RPC: acquire the live connection, tie the call to the process's life,
/// time it, and translate failures.</summary>
internal static class GrpcCall
{
    public static async Task<TResponse> InvokeAsync<TResponse>(IPluginChannelSource source, string method, Histogram<double> timer,
        bool withTargetName, Func<CallInvoker, CancellationToken, Task<TResponse>> call, CancellationToken cancellationToken,
        DateTime? deadline = null)
    {
        var (invoker, lifetime) = source.Acquire();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime);
        if (deadline is { } at)
        {
            var remaining = at - DateTime.UtcNow;
            linked.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            return await call(invoker, linked.Token).ConfigureAwait(false);
        }
        catch (RpcException ex) when (deadline is not null && ex.StatusCode == StatusCode.Cancelled
            && !cancellationToken.IsCancellationRequested && !lifetime.IsCancellationRequested)
        {
            throw new PluginTimeoutException(source.Name, source.Kind,
                $"{ExternalPluginLauncher.KindName(source.Kind)} plugin \"{source.Name}\" {method} timed out", ex);
        }
        catch (RpcException ex)
        {
            throw PluginErrors.FromRpc(ex, source.Name, source.Kind, method, cancellationToken, lifetime);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw PluginErrors.Exited(source.Name, source.Kind, method);
        }
        finally
        {
            PluginMetrics.Record(timer, source.Name, start, withTargetName);
        }
    }
}
