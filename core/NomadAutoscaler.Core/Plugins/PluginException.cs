using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>A plugin call or launch failed. The message names the plugin and says what happened.</summary>
internal class PluginException : Exception
{
    public PluginException(string pluginName, PluginKind kind, string message, StatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        PluginName = pluginName;
        Kind = kind;
        StatusCode = statusCode;
    }

    public PluginException() : this(string.Empty, default, "plugin error") { }

    public PluginException(string message) : this(string.Empty, default, message) { }

    public PluginException(string message, Exception innerException) : this(string.Empty, default, message, null, innerException) { }

    public string PluginName { get; }

    public PluginKind Kind { get; }

    /// <summary>The gRPC status of the failed call; null when the failure was not a gRPC status (in-process, launch).</summary>
    public StatusCode? StatusCode { get; }
}
