namespace NomadAutoscaler.Plugins.Sdk.Nomad;

/// <summary>The token lacks the ACL capability, or is unknown (HTTP 403).</summary>
public sealed class NomadPermissionDeniedException : NomadApiException
{
    /// <summary>Creates the exception from Nomad's error text.</summary>
    public NomadPermissionDeniedException(string nomadMessage, string method, string path) : base(403, nomadMessage, method, path) { }

    /// <summary>Creates the exception.</summary>
    public NomadPermissionDeniedException() : base(403, "", "", "") { }

    /// <summary>Creates the exception with a message only.</summary>
    public NomadPermissionDeniedException(string message) : base(403, message, "", "") { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NomadPermissionDeniedException(string message, Exception innerException) : base(message, innerException) { }
}
