using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Prometheus;

/// <summary>The HTTP side of the plugin: one configured connection pool to one Prometheus server, used by
/// concurrent queries. Requests are sent as upstream's Go client sends them: POST form first, GET when the
/// server (or a proxy) refuses POST.</summary>
internal sealed class PrometheusClient : IDisposable
{
    /// <summary>Resolution of range queries, fixed as upstream (a 1m window gives about 61 points).</summary>
    public static readonly TimeSpan RangeStep = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly Uri _queryUri;
    private readonly Uri _queryRangeUri;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    private PrometheusClient(HttpMessageHandler handler, PrometheusOptions options, TimeProvider timeProvider)
    {
        _timeout = options.Timeout;
        _timeProvider = timeProvider;
        // The per-call token (agent deadline + our timeout) bounds each request; HttpClient's own timer would use the
        // real clock and could not be told apart from the caller cancelling.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var address = options.AddressUri;
        _queryUri = Endpoint(address, "api/v1/query");
        _queryRangeUri = Endpoint(address, "api/v1/query_range");
        foreach (var (name, value) in options.Headers)
            _http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        if (Authorization(options, address) is { } authorization)
            _http.DefaultRequestHeaders.Authorization = authorization;
    }

    /// <summary>Builds the client for validated options; reads <c>ca_cert</c> now so a bad file fails configuration.</summary>
    /// <exception cref="PluginConfigException"><c>ca_cert</c> cannot be read or holds no PEM certificate.</exception>
    public static PrometheusClient Create(PrometheusOptions options, TimeProvider timeProvider, HttpMessageHandler? handler = null)
        => new(handler ?? CreateHandler(options), options, timeProvider);

    /// <summary>Runs <paramref name="query"/> as an instant query at <paramref name="to"/> when the window is empty
    /// (<c>query_window = "instant"</c>), else as a range query over [from, to] with a 1 s step.</summary>
    /// <exception cref="PrometheusQueryException">The request failed, timed out, or the answer is an error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<PrometheusResponse> QueryAsync(string query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var instant = from == to;
        var uri = instant ? _queryUri : _queryRangeUri;
        var form = new List<KeyValuePair<string, string>> { new("query", query) };
        if (instant)
        {
            form.Add(new("time", FormatTime(to)));
        }
        else
        {
            form.Add(new("start", FormatTime(from)));
            form.Add(new("end", FormatTime(to)));
            form.Add(new("step", RangeStep.TotalSeconds.ToString(CultureInfo.InvariantCulture)));
        }

        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var method = HttpMethod.Post;
        try
        {
            using var response = await SendAsync(uri, form, method, linked.Token).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
            {
                // Same fallback as client_golang's DoGetFallback: some proxies only allow GET on the API.
                method = HttpMethod.Get;
                using var retry = await SendAsync(uri, form, method, linked.Token).ConfigureAwait(false);
                return await ReadAsync(retry, linked.Token).ConfigureAwait(false);
            }

            return await ReadAsync(response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new PrometheusQueryException($"failed to query: {method} {uri}: no answer within {GoDuration.Format(_timeout)} (timeout)");
        }
        catch (HttpRequestException ex)
        {
            throw new PrometheusQueryException($"failed to query: {method} {uri}: {Describe(ex)}", ex);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Uri uri, List<KeyValuePair<string, string>> form, HttpMethod method, CancellationToken cancellationToken)
    {
        using var request = method == HttpMethod.Post
            ? new HttpRequestMessage(method, uri) { Content = new FormUrlEncodedContent(form) }
            : new HttpRequestMessage(method, new UriBuilder(uri) { Query = Encode(form) }.Uri);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PrometheusResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return PrometheusResponse.Parse(response.StatusCode, body);
    }

    /// <summary>Go client_golang's time format: Unix seconds with the fraction only when there is one.</summary>
    internal static string FormatTime(DateTimeOffset time)
        => (time.ToUnixTimeMilliseconds() / 1000m).ToString(CultureInfo.InvariantCulture);

    private static string Encode(List<KeyValuePair<string, string>> form)
        => string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>The endpoint under the address's path, so a Prometheus behind a path prefix (<c>/prometheus</c>) works.
    /// Credentials embedded in the address are moved to the Authorization header, never kept in the URL.</summary>
    internal static Uri Endpoint(Uri address, string endpoint)
        => new UriBuilder(address) { UserName = "", Password = "", Path = address.AbsolutePath.TrimEnd('/') + "/" + endpoint }.Uri;

    /// <summary>As upstream: a <c>header_Authorization</c> wins; then credentials in the address URL (Go's HTTP client
    /// applies them first); then <c>basic_auth_user</c> / <c>basic_auth_password</c> when either is set.</summary>
    internal static AuthenticationHeaderValue? Authorization(PrometheusOptions options, Uri address)
    {
        if (options.Headers.Keys.Any(k => string.Equals(k, "Authorization", StringComparison.OrdinalIgnoreCase))) return null;
        string? user = null, password = null;
        if (address.UserInfo.Length > 0)
        {
            var separator = address.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(separator < 0 ? address.UserInfo : address.UserInfo[..separator]);
            password = separator < 0 ? "" : Uri.UnescapeDataString(address.UserInfo[(separator + 1)..]);
        }
        else if (!string.IsNullOrEmpty(options.BasicAuthUser) || !string.IsNullOrEmpty(options.BasicAuthPassword))
        {
            user = options.BasicAuthUser ?? "";
            password = options.BasicAuthPassword ?? "";
        }

        return user is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    private static SocketsHttpHandler CreateHandler(PrometheusOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // Connections are reused across evaluations but refreshed, so a Prometheus behind changing DNS is found again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseProxy = true,
            AutomaticDecompression = DecompressionMethods.All,
        };
        if (options.SkipVerify)
        {
            // skip_verify is the operator's explicit choice (self-signed test servers); upstream's InsecureSkipVerify.
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrWhiteSpace(options.CaCert))
        {
            var roots = LoadCaCertificates(options.CaCert);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => ValidateAgainst(roots, certificate, chain, errors);
        }

        return handler;
    }

    internal static X509Certificate2Collection LoadCaCertificates(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PluginConfigException("ca_cert", $"failed to load CA certificate {path}: {ex.Message}");
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new PluginConfigException("ca_cert", $"failed to decode PEM file {path}: {ex.Message}");
        }

        if (roots.Count == 0) throw new PluginConfigException("ca_cert", $"failed to decode PEM file {path}: no CERTIFICATE block found");
        return roots;
    }

    /// <summary>Trusts exactly the configured CAs (upstream sets them as the only RootCAs); the host name must still match.</summary>
    private static bool ValidateAgainst(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // Intermediates the server sent (the first element is the leaf itself).
            foreach (var element in presented.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static string Describe(HttpRequestException ex)
    {
        // The innermost message says what actually happened ("Connection refused", a TLS failure reason).
        var inner = ex.InnerException;
        while (inner?.InnerException is not null) inner = inner.InnerException;
        return inner is null || inner.Message == ex.Message ? ex.Message : $"{ex.Message} ({inner.Message})";
    }
}
