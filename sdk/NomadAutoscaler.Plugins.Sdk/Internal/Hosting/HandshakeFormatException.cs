namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>A plugin's handshake line breaks a go-plugin rule; the message is fit for users. The agent turns it into a
/// launch error naming the plugin.</summary>
internal sealed class HandshakeFormatException : Exception
{
    public HandshakeFormatException(string message) : base(message) { }

    public HandshakeFormatException() { }

    public HandshakeFormatException(string message, Exception innerException) : base(message, innerException) { }
}
