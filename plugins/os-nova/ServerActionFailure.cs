namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>One server of a scale operation failed; the message says which and why.</summary>
internal sealed class ServerActionFailure : Exception
{
    public ServerActionFailure() { }

    public ServerActionFailure(string message) : base(message) { }

    public ServerActionFailure(string message, Exception innerException) : base(message, innerException) { }
}
