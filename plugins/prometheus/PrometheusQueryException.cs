namespace NomadAutoscaler.Plugins.Prometheus;

/// <summary>A query that failed or whose result cannot be used. The message reaches the agent's logs as is
/// (the SDK sends it as the gRPC status message), so it never contains credentials or header values.</summary>
public sealed class PrometheusQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PrometheusQueryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PrometheusQueryException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PrometheusQueryException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
