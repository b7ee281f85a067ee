using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>Hands an <see cref="HttpRequestMessage"/> straight to the simulator's API as an
/// <see cref="HttpContext"/>, so a client reaches it without a socket. The answer is what Kestrel would have sent:
/// the same status, headers and body, from the same handler.</summary>
internal sealed class InMemoryHttpHandler(NomadHttpApi api) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var context = new DefaultHttpContext { RequestAborted = cancellationToken };
        var httpRequest = context.Request;
        httpRequest.Method = request.Method.Method;
        httpRequest.Scheme = uri.Scheme;
        httpRequest.Host = new HostString(uri.Authority);
        httpRequest.Path = PathString.FromUriComponent(uri);
        httpRequest.QueryString = QueryString.FromUriComponent(uri);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = uri.PathAndQuery;
        foreach (var (name, values) in request.Headers) httpRequest.Headers[name] = values.ToArray();
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers) httpRequest.Headers[name] = values.ToArray();
            var body = await content.ReadAsByteArrayAsync(cancellationToken);
            httpRequest.Body = new MemoryStream(body, writable: false);
            httpRequest.ContentLength = body.Length;
        }

        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        await api.HandleAsync(context);

        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(responseBody.GetBuffer(), 0, (int)responseBody.Length),
        };
        foreach (var (name, values) in context.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                response.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        return response;
    }
}
