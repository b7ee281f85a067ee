using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Plugins.SimCloud;

/// <summary>One server as the simulated cloud lists it.</summary>
internal sealed record CloudServer(string Id, string Name, string Pool, string Status);

/// <summary>The simulator's <c>/_sim/cloud/</c> endpoints, reached at the Nomad address with the Nomad token.</summary>
internal sealed class CloudClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public CloudClient(NomadClientOptions options, HttpMessageHandler? handler, TimeProvider time)
    {
        _time = time;
        var address = new Uri(options.Address.TrimEnd('/') + "/", UriKind.Absolute);
        // Each call gets a deadline on the injected clock instead: the lab runs on a virtual one.
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = address;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(options.Token)) _http.DefaultRequestHeaders.Add("X-Nomad-Token", options.Token);
        if (!string.IsNullOrEmpty(options.HttpAuth))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.HttpAuth)));
    }

    /// <summary>Deadline of one call.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<CloudServer>> ListAsync(string pool, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, "_sim/cloud/servers?pool=" + Uri.EscapeDataString(pool), null, cancellationToken).ConfigureAwait(false);
        return ParseServers(body);
    }

    public async Task<IReadOnlyList<CloudServer>> CreateAsync(PoolTarget target, int count, CancellationToken cancellationToken)
    {
        var request = new JsonObject
        {
            ["pool"] = target.PoolName,
            ["count"] = count,
            ["node_class"] = target.NodeClass,
            ["datacenter"] = target.Datacenter,
            ["node_pool"] = target.NodePool,
            ["cpu"] = target.NodeCpu,
            ["memory"] = target.NodeMemory,
        };
        return ParseServers(await SendAsync(HttpMethod.Post, "_sim/cloud/servers", request, cancellationToken).ConfigureAwait(false));
    }

    public async Task DeleteAsync(string serverId, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Delete, "_sim/cloud/server/" + Uri.EscapeDataString(serverId), null, cancellationToken).ConfigureAwait(false);

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = _time.CreateTimer(_ => deadline.Cancel(), null, CallTimeout, Timeout.InfiniteTimeSpan);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"simulated cloud: {method} /{path.Split('?')[0]}: {(int)response.StatusCode} {text.Trim()}");
            return JsonNode.Parse(text);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"simulated cloud: {method} /{path.Split('?')[0]}: no answer within {CallTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
    }

    private static List<CloudServer> ParseServers(JsonNode? body) =>
        (body?["servers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(s => new CloudServer((string)s["id"]!, (string)s["name"]!, (string)s["pool"]!, (string)s["status"]!))
            .ToList();
}
