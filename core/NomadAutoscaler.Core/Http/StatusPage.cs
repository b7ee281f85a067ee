using Microsoft.AspNetCore.Http;

namespace NomadAutoscaler.Core.Http;

/// <summary><c>GET /ui/</c>: one self-contained HTML page (inline script and style, system fonts) that reads only the
/// agent's JSON API. The content security policy forbids anything else, so the page works without internet access
/// and cannot be made to load a foreign script.</summary>
internal static class StatusPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("StatusPage.html")
            ?? throw new InvalidOperationException("the status page is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers["Content-Security-Policy"] = ContentSecurityPolicy;
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers.CacheControl = "no-cache";
        return response.Body.WriteAsync(Html.Value, context.RequestAborted).AsTask();
    }
}
