using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>The plugin cannot be reached: its process crashed, is restarting, or was shut down.</summary>
internal sealed class PluginUnavailableException : PluginException
{
    public PluginUnavailableException(string pluginName, PluginKind kind, string message, StatusCode? statusCode = null, Exception? innerException = null)
        : base(pluginName, kind, message, statusCode, innerException) { }

    public PluginUnavailableException() { }

    public PluginUnavailableException(string message) : base(message) { }

    public PluginUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
