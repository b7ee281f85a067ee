using System.Net;
using System.Text;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>An HttpMessageHandler standing in for Prometheus: records every request (with its form body read) and
/// answers with the next scripted response, or a default one.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public List<RecordedRequest> Requests { get; } = [];

    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Default { get; set; }
        = (_, _) => Task.FromResult(Json(HttpStatusCode.OK, Bodies.EmptyMatrix));

    public bool Disposed { get; private set; }

    public void Enqueue(HttpStatusCode status, string body) => _script.Enqueue((_, _) => Task.FromResult(Json(status, body)));

    public void Enqueue(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) => _script.Enqueue(respond);

    public static HttpResponseMessage Json(HttpStatusCode status, string body)
        => new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests) Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, body, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase)));
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond;
        lock (_script) respond = _script.Count > 0 ? _script.Dequeue() : Default;
        return await respond(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The form fields of a POST body or the query string of a GET.</summary>
    public IReadOnlyDictionary<string, string> Parameters
    {
        get
        {
            var text = Method == HttpMethod.Post ? Body : Uri.Query.TrimStart('?');
            return text.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
        }
    }
}
