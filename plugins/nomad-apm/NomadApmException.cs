namespace NomadAutoscaler.Plugins.NomadApm;

/// <summary>A query that cannot be answered; the message is what the agent logs.</summary>
internal sealed class NomadApmException : Exception
{
    public NomadApmException(string message) : base(message) { }

    public NomadApmException(string message, Exception innerException) : base(message, innerException) { }

    public NomadApmException() { }
}
