namespace NomadAutoscaler.Nomad;

/// <summary>A write lost a check-and-set or lock race (HTTP 409).</summary>
public sealed class NomadConflictException : NomadApiException
{
    /// <summary>Creates the exception from Nomad's error text.</summary>
    public NomadConflictException(string nomadMessage, string method, string path) : base(409, nomadMessage, method, path) { }

    /// <summary>Creates the exception.</summary>
    public NomadConflictException() : base(409, "", "", "") { }

    /// <summary>Creates the exception with a message only.</summary>
    public NomadConflictException(string message) : base(409, message, "", "") { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NomadConflictException(string message, Exception innerException) : base(message, innerException) { }
}
