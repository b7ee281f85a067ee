namespace NomadAutoscaler.Core.Plugins;

/// <summary>The plugin's handshake line breaks a go-plugin rule. Turned into a <see cref="PluginLaunchException"/> naming the plugin.</summary>
internal sealed class HandshakeFormatException : Exception
{
    public HandshakeFormatException(string message) : base(message) { }

    public HandshakeFormatException() { }

    public HandshakeFormatException(string message, Exception innerException) : base(message, innerException) { }
}
