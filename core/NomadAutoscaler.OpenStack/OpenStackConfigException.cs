namespace NomadAutoscaler.OpenStack;

/// <summary>OpenStack settings that cannot be used (missing credentials, an unreadable or invalid clouds.yaml, an
/// unknown cloud). The message names the setting or the file position, never a secret.</summary>
public sealed class OpenStackConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OpenStackConfigException() : this("invalid OpenStack configuration") { }

    /// <summary>Creates the exception with a message.</summary>
    public OpenStackConfigException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OpenStackConfigException(string message, Exception innerException) : base(message, innerException) { }
}
