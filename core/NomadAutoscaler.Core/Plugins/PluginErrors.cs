using Google.Rpc;
using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Turns gRPC failures into the typed <see cref="PluginException"/> family with messages naming the plugin.</summary>
internal static class PluginErrors
{
    public static Exception FromRpc(RpcException ex, string pluginName, PluginKind kind, string method,
        CancellationToken callerToken, CancellationToken lifetime)
    {
        if (ex.StatusCode == Grpc.Core.StatusCode.Cancelled && callerToken.IsCancellationRequested)
            return new OperationCanceledException(callerToken);
        var prefix = $"{External.ExternalPluginLauncher.KindName(kind)} plugin \"{pluginName}\" {method}";
        if (lifetime.IsCancellationRequested || ex.StatusCode == Grpc.Core.StatusCode.Unavailable)
            return new PluginUnavailableException(pluginName, kind, $"{prefix} failed: the plugin is unavailable ({Detail(ex)})", ex.StatusCode, ex);
        return ex.StatusCode switch
        {
            Grpc.Core.StatusCode.DeadlineExceeded => new PluginTimeoutException(pluginName, kind, $"{prefix} timed out: {Detail(ex)}", ex),
            Grpc.Core.StatusCode.InvalidArgument => new PluginInvalidConfigException(pluginName, kind, $"{prefix} failed: {Detail(ex)}", Violations(ex), ex),
            _ => new PluginException(pluginName, kind, $"{prefix} failed: {ex.StatusCode}: {Detail(ex)}", ex.StatusCode, ex),
        };
    }

    /// <summary>The plugin closed or was stopped while a call was in flight.</summary>
    public static PluginUnavailableException Exited(string pluginName, PluginKind kind, string method, Exception? inner = null)
        => new(pluginName, kind, $"{External.ExternalPluginLauncher.KindName(kind)} plugin \"{pluginName}\" {method} failed: the plugin process exited during the call", null, inner);

    private static string Detail(RpcException ex) => string.IsNullOrEmpty(ex.Status.Detail) ? ex.StatusCode.ToString() : ex.Status.Detail;

    /// <summary>Field violations from <c>google.rpc.BadRequest</c> in the status details, as the SDK sends them.</summary>
    public static IReadOnlyList<ConfigViolation> Violations(RpcException ex)
    {
        try
        {
            var status = ex.GetRpcStatus();
            var badRequest = status?.GetDetail<BadRequest>();
            if (badRequest is null) return [];
            return [.. badRequest.FieldViolations.Select(v => new ConfigViolation(v.Field, v.Description))];
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return [];
        }
    }
}
