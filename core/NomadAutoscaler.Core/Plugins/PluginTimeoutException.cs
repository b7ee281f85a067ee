using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>A plugin call ran past its deadline (gRPC <c>DEADLINE_EXCEEDED</c>).</summary>
internal sealed class PluginTimeoutException : PluginException
{
    public PluginTimeoutException(string pluginName, PluginKind kind, string message, Exception? innerException = null)
        : base(pluginName, kind, message, Grpc.Core.StatusCode.DeadlineExceeded, innerException) { }

    public PluginTimeoutException() { }

    public PluginTimeoutException(string message) : base(message) { }

    public PluginTimeoutException(string message, Exception innerException) : base(message, innerException) { }
}
