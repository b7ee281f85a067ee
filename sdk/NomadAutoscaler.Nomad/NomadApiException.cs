namespace NomadAutoscaler.Nomad;

/// <summary>Nomad answered with a status other than success. The message reads like the Go client's,
/// <c>Unexpected response code: 404 (node not found)</c>; it never contains credentials.</summary>
public class NomadApiException : Exception
{
    /// <summary>Creates the exception for a status code and Nomad's error text.</summary>
    public NomadApiException(int statusCode, string nomadMessage, string method, string path)
        : base($"Unexpected response code: {statusCode} ({nomadMessage})")
    {
        StatusCode = statusCode;
        NomadMessage = nomadMessage;
        Method = method;
        Path = path;
    }

    /// <summary>Creates the exception.</summary>
    public NomadApiException() : this(0, "", "", "") { }

    /// <summary>Creates the exception with a message only.</summary>
    public NomadApiException(string message) : base(message)
    {
        NomadMessage = message;
        Method = "";
        Path = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NomadApiException(string message, Exception innerException) : base(message, innerException)
    {
        NomadMessage = message;
        Method = "";
        Path = "";
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>Nomad's error text (the response body), e.g. <c>node not found</c>.</summary>
    public string NomadMessage { get; }

    /// <summary>The HTTP method of the failed call.</summary>
    public string Method { get; }

    /// <summary>The path of the failed call, without query string.</summary>
    public string Path { get; }

    internal static NomadApiException Create(int statusCode, string message, string method, string path) => statusCode switch
    {
        404 => new NomadNotFoundException(message, method, path),
        403 => new NomadPermissionDeniedException(message, method, path),
        409 => new NomadConflictException(message, method, path),
        _ => new NomadApiException(statusCode, message, method, path),
    };
}
