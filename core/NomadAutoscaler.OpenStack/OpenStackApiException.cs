using System.Net;

namespace NomadAutoscaler.OpenStack;

/// <summary>An OpenStack API answered with an error status, or could not be reached.</summary>
public sealed class OpenStackApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OpenStackApiException() : this("OpenStack API error") { }

    /// <summary>Creates the exception with a message.</summary>
    public OpenStackApiException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OpenStackApiException(string message, Exception innerException) : base(message, innerException) { }

    internal OpenStackApiException(string service, HttpMethod method, string path, HttpStatusCode? statusCode, string detail, Exception? inner = null)
        : base(Describe(service, method, path, statusCode, detail), inner)
    {
        Service = service;
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The catalog service type (<c>compute</c>, <c>network</c>, <c>image</c>, <c>identity</c>).</summary>
    public string? Service { get; }

    /// <summary>The HTTP status, or null when no answer arrived (connection failure, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The API's own error message (for example Nova's <c>Quota exceeded for instances ...</c>).</summary>
    public string? Detail { get; }

    /// <summary>404.</summary>
    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>No answer, 5xx, 408 or 429: the same request may succeed later. For a non-idempotent request the
    /// outcome is unknown: it may have been applied.</summary>
    public bool IsTransient => StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)StatusCode >= 500;

    /// <summary>Nova's quota refusal (403/413 with a quota message).</summary>
    public bool IsQuotaExceeded =>
        StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.RequestEntityTooLarge
        && Detail is not null && Detail.Contains("quota", StringComparison.OrdinalIgnoreCase);

    private static string Describe(string service, HttpMethod method, string path, HttpStatusCode? statusCode, string detail)
        => statusCode is null
            ? $"{service}: {method} {path}: {detail}"
            : $"{service}: {method} {path}: {(int)statusCode} {statusCode}: {detail}";
}
