using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>A plugin could not be started: missing or non-executable binary, failed handshake, wrong type or name.</summary>
internal sealed class PluginLaunchException : PluginException
{
    public PluginLaunchException(string pluginName, PluginKind kind, string path, string message, Exception? innerException = null)
        : base(pluginName, kind, message, null, innerException)
        => PluginPath = path;

    public PluginLaunchException() => PluginPath = string.Empty;

    public PluginLaunchException(string message) : base(message) => PluginPath = string.Empty;

    public PluginLaunchException(string message, Exception innerException) : base(message, innerException) => PluginPath = string.Empty;

    /// <summary>The executable or assembly that was launched.</summary>
    public string PluginPath { get; }
}
