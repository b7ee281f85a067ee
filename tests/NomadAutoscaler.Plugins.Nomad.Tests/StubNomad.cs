using System.Net;
using System.Text;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

/// <summary>A recorded request.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>A canned reply.</summary>
internal sealed record StubReply(int Status, string Body, ulong? Index = null, string ContentType = "application/json", bool Gzip = false);

/// <summary>An HttpMessageHandler that answers from a route table (or a queue per route) and records every request.</summary>
internal sealed class StubNomad : HttpMessageHandler
{
    private readonly List<(string Method, Func<string, bool> Match, Queue<StubReply> Replies)> _routes = [];
    private readonly object _gate = new();

    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>Replies in order; the last reply repeats. A later registration for the same request wins.</summary>
    public StubNomad On(string method, string path, params StubReply[] replies)
        => OnMatch(method, p => p == path, replies);

    public StubNomad OnMatch(string method, Func<string, bool> match, params StubReply[] replies)
    {
        _routes.Add((method, match, new Queue<StubReply>(replies)));
        return this;
    }

    public static StubReply Json(string body, ulong? index = 1) => new(200, body, index);

    public static StubReply Fixture(string name, ulong? index = 1) => new(200, Fixtures.Read(name), index);

    public static StubReply Error(int status, string text, ulong? index = null) => new(status, text, index, "text/plain; charset=utf-8");

    public int Count(string method, string path)
    {
        lock (_gate) return Requests.Count(r => r.Method == method && r.Path == path);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var uri = request.RequestUri!;
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var recorded = new RecordedRequest(request.Method.Method, uri.PathAndQuery, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, body);
        StubReply? reply = null;
        lock (_gate)
        {
            Requests.Add(recorded);
            foreach (var (method, match, replies) in Enumerable.Reverse(_routes))
            {
                if (method != request.Method.Method || !match(path)) continue;
                reply = replies.Count > 1 ? replies.Dequeue() : replies.Peek();
                break;
            }
        }

        reply ??= new StubReply(404, "", null, "text/plain");
        var bytes = Encoding.UTF8.GetBytes(reply.Body);
        HttpContent content;
        if (reply.Gzip)
        {
            using var buffer = new MemoryStream();
            using (var gz = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                gz.Write(bytes);
            content = new ByteArrayContent(buffer.ToArray());
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            content = new ByteArrayContent(bytes);
        }

        content.Headers.TryAddWithoutValidation("Content-Type", reply.ContentType);
        var response = new HttpResponseMessage((HttpStatusCode)reply.Status) { Content = content };
        if (reply.Index is { } index)
        {
            response.Headers.Add("X-Nomad-Index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Add("X-Nomad-KnownLeader", "true");
            response.Headers.Add("X-Nomad-LastContact", "0");
        }

        return response;
    }
}

internal static class Fixtures
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
