using System.Net;
using System.Text;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>An HTTP handler answering from a routing function, recording every request (method, path, body).</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, string?, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(HttpMethod Method, string PathAndQuery, string? Body, IReadOnlyDictionary<string, string> Headers)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        lock (Requests) Requests.Add((request.Method, request.RequestUri!.PathAndQuery, body, headers));
        return respond(request, body);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string? subjectToken = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (subjectToken is not null) response.Headers.Add("X-Subject-Token", subjectToken);
        return response;
    }

    public static string TokenBody(DateTimeOffset expiresAt, string computeUrl = "http://nova.test/v2.1", string region = "RegionOne") => $$$"""
        {"token": {"expires_at": "{{{expiresAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}}}", "project": {"id": "p1"},
          "catalog": [
            {"type": "compute", "endpoints": [
              {"interface": "public", "region_id": "{{{region}}}", "url": "{{{computeUrl}}}"},
              {"interface": "internal", "region_id": "{{{region}}}", "url": "http://nova-internal.test/v2.1"}]},
            {"type": "image", "endpoints": [{"interface": "public", "region_id": "{{{region}}}", "url": "http://glance.test"}]},
            {"type": "network", "endpoints": [{"interface": "public", "region_id": "{{{region}}}", "url": "http://neutron.test"}]}
          ]}}
        """;
}
