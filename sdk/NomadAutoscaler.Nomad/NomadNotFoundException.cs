namespace NomadAutoscaler.Nomad;

/// <summary>The object does not exist (HTTP 404).</summary>
public sealed class NomadNotFoundException : NomadApiException
{
    /// <summary>Creates the exception from Nomad's error text.</summary>
    public NomadNotFoundException(string nomadMessage, string method, string path) : base(404, nomadMessage, method, path) { }

    /// <summary>Creates the exception.</summary>
    public NomadNotFoundException() : base(404, "", "", "") { }

    /// <summary>Creates the exception with a message only.</summary>
    public NomadNotFoundException(string message) : base(404, message, "", "") { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NomadNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
