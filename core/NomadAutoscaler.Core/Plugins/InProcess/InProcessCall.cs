using System.Diagnostics;
using System.Diagnostics.Metrics;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins.InProcess;

/// <summary>Times an in-process call and maps the SDK's exceptions to the same <see cref="PluginException"/> family
/// the gRPC clients throw, so the engine cannot tell the modes apart.</summary>
internal static class InProcessCall
{
    public static async Task<T> InvokeAsync<T>(string pluginName, PluginKind kind, string method, Histogram<double>? timer, bool withTargetName,
        Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var prefix = $"{External.ExternalPluginLauncher.KindName(kind)} plugin \"{pluginName}\" {method}";
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (NomadAutoscaler.Plugins.Sdk.PluginConfigException ex)
        {
            throw new PluginInvalidConfigException(pluginName, kind, $"{prefix} failed: {ex.Message}", ex.Violations, ex);
        }
        catch (ScalingNoOpException ex)
        {
            throw new PluginException(pluginName, kind, $"{prefix}: {ex.Message}", Grpc.Core.StatusCode.Aborted, ex);
        }
        catch (OperationCanceledException ex)
        {
            throw new PluginTimeoutException(pluginName, kind, $"{prefix} was cancelled by the plugin: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not PluginException)
        {
            throw new PluginException(pluginName, kind, $"{prefix} failed: {ex.Message}", null, ex);
        }
        finally
        {
            if (timer is not null) PluginMetrics.Record(timer, pluginName, start, withTargetName);
        }
    }
}
