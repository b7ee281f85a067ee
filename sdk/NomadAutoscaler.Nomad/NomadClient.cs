using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Nomad.Internal;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Nomad;

/// <summary>A small client for the Nomad HTTP API calls the autoscaler and its plugins make.</summary>
/// <remarks>
/// <para>Reads return <see cref="QueryResult{T}"/> with the <c>X-Nomad-Index</c> header; pass
/// <see cref="QueryMeta.LastIndex"/> back as <see cref="QueryOptions.WaitIndex"/> for a blocking query.</para>
/// <para>Errors: a non-success status throws <see cref="NomadApiException"/> (or <see cref="NomadNotFoundException"/>,
/// <see cref="NomadPermissionDeniedException"/>, <see cref="NomadConflictException"/>); transport failures throw
/// <see cref="HttpRequestException"/> after retries; a request that outlives its timeout throws <see cref="TimeoutException"/>.</para>
/// <para>Retries: reads are retried on transport errors and 502/503/504; writes only when the connection could not be
/// made (nothing reached the server); 4xx is never retried. Lock calls follow Nomad's lock leaser: only 429 and 501–510.</para>
/// <para>Lists of nodes and allocations come back sorted by <c>CreateIndex</c>, newest first, as the Go client sorts them.</para>
/// </remarks>
public sealed partial class NomadClient : IDisposable
{
    private const int MaxErrorBodyChars = 4096;
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates a client.</summary>
    /// <param name="options">Connection settings.</param>
    /// <param name="handler">The HTTP handler to send through; by default one is built from the TLS settings.
    /// The client disposes it.</param>
    /// <param name="timeProvider">Clock for timeouts and retry delays.</param>
    /// <param name="logger">Receives retry warnings; never secrets.</param>
    public NomadClient(NomadClientOptions options, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var address = new Uri(options.Address, UriKind.Absolute);
        _baseAddress = address.Scheme == "unix" ? new Uri("http://localhost") : address;
        _http = new HttpClient(handler ?? NomadHttpHandlerFactory.Create(options), disposeHandler: true)
        {
            // Per-request timeouts are applied with the TimeProvider, so that blocking queries can outlive this.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The settings this client uses.</summary>
    public NomadClientOptions Options { get; }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private enum RetryMode
    {
        Read,
        Write,
        Lock,
    }

    private readonly record struct Response(int StatusCode, byte[] Body, HttpResponseHeaders Headers, string? ContentType);

    private async Task<QueryResult<T>> GetAsync<T>(string path, QueryOptions? query, List<KeyValuePair<string, string>>? extra, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var parameters = ReadParameters(query);
        if (extra is not null) parameters.AddRange(extra);
        var wait = query is { WaitIndex: > 0 } ? query.WaitTime ?? Options.BlockQueryWaitTime : TimeSpan.Zero;
        var response = await SendAsync(HttpMethod.Get, path, parameters, null, RetryMode.Read, wait, null, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "GET", path);
        return new QueryResult<T>(Deserialize(response, type, "GET", path), ParseMeta(response.Headers));
    }

    private async Task<TResponse> WriteAsync<TRequest, TResponse>(HttpMethod method, string path, WriteOptions? options, List<KeyValuePair<string, string>>? extra,
        TRequest? body, JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var parameters = WriteParameters(options);
        if (extra is not null) parameters.AddRange(extra);
        var bytes = requestType is null || body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        var response = await SendAsync(method, path, parameters, bytes, RetryMode.Write, TimeSpan.Zero, null, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, method.Method, path);
        return Deserialize(response, responseType, method.Method, path);
    }

    private List<KeyValuePair<string, string>> ReadParameters(QueryOptions? query)
    {
        var list = new List<KeyValuePair<string, string>>();
        AddIfSet(list, "region", query?.Region ?? Options.Region);
        AddIfSet(list, "namespace", query?.Namespace ?? Options.EffectiveNamespace);
        if (query is null) return list;
        if (query.WaitIndex > 0)
        {
            list.Add(new("index", query.WaitIndex.ToString(CultureInfo.InvariantCulture)));
            list.Add(new("wait", NomadClientOptions.FormatWait(query.WaitTime ?? Options.BlockQueryWaitTime)));
        }

        if (query.AllowStale) list.Add(new("stale", ""));
        AddIfSet(list, "prefix", query.Prefix);
        AddIfSet(list, "filter", query.Filter);
        return list;
    }

    private List<KeyValuePair<string, string>> WriteParameters(WriteOptions? options)
    {
        var list = new List<KeyValuePair<string, string>>();
        AddIfSet(list, "region", options?.Region ?? Options.Region);
        AddIfSet(list, "namespace", options?.Namespace ?? Options.EffectiveNamespace);
        return list;
    }

    private static void AddIfSet(List<KeyValuePair<string, string>> list, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value)) list.Add(new(key, value));
    }

    private async Task<Response> SendAsync(HttpMethod method, string path, List<KeyValuePair<string, string>> parameters, byte[]? body,
        RetryMode mode, TimeSpan blockingWait, TimeSpan? lockBudget, CancellationToken cancellationToken)
    {
        var uri = BuildUri(path, parameters);
        // Nomad adds up to wait/16 of jitter to a blocking query, so the client waits a little longer than that.
        var timeout = Options.RequestTimeout + blockingWait + blockingWait / 16;
        var started = _timeProvider.GetTimestamp();
        var maxRetries = mode == RetryMode.Lock ? 5 : Math.Max(0, Options.MaxRetries);
        var baseDelay = mode == RetryMode.Lock ? TimeSpan.FromSeconds(1) : Options.RetryBaseDelay;
        for (var attempt = 0; ; attempt++)
        {
            Response response;
            try
            {
                response = await SendOnceAsync(method, uri, path, body, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (attempt < maxRetries && IsRetryableTransportError(ex, mode))
            {
                await DelayBeforeRetryAsync(method, path, attempt, baseDelay, ex.Message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (attempt < maxRetries && IsRetryableStatus(response.StatusCode, mode)
                && (lockBudget is null || _timeProvider.GetElapsedTime(started) < lockBudget.Value))
            {
                await DelayBeforeRetryAsync(method, path, attempt, baseDelay, $"status {response.StatusCode}", cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    private static bool IsRetryableTransportError(HttpRequestException ex, RetryMode mode) => mode switch
    {
        RetryMode.Read => true,
        // A write is retried only when it certainly did not reach the server.
        RetryMode.Write => ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError,
        _ => false,
    };

    private static bool IsRetryableStatus(int status, RetryMode mode) => mode switch
    {
        RetryMode.Read => status is 502 or 503 or 504,
        RetryMode.Lock => status is 429 or (>= 501 and <= 510),
        _ => false,
    };

    private async Task DelayBeforeRetryAsync(HttpMethod method, string path, int attempt, TimeSpan baseDelay, string reason, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Min(baseDelay.Ticks * (1L << Math.Min(attempt, 20)), TimeSpan.FromSeconds(30).Ticks));
        _logger.Hclog(LogLevel.Warning, "retrying Nomad request",
            ("method", method.Method), ("path", path), ("attempt", attempt + 1), ("delay", GoDuration.Format(delay)), ("reason", reason));
        await InlineDelay.DelayAsync(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Response> SendOnceAsync(HttpMethod method, Uri uri, string path, byte[]? body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        if (!string.IsNullOrEmpty(Options.Token)) request.Headers.Add("X-Nomad-Token", Options.Token);
        if (!string.IsNullOrEmpty(Options.HttpAuth))
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Options.HttpAuth)));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
                bytes = Gunzip(bytes);
            return new Response((int)response.StatusCode, bytes, response.Headers, response.Content.Headers.ContentType?.MediaType);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method.Method} {path}: no answer from Nomad within {GoDuration.Format(timeout)}");
        }
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new MemoryStream(bytes);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private Uri BuildUri(string path, List<KeyValuePair<string, string>> parameters)
    {
        var sb = new StringBuilder(path);
        for (var i = 0; i < parameters.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&').Append(Uri.EscapeDataString(parameters[i].Key)).Append('=');
            sb.Append(Uri.EscapeDataString(parameters[i].Value));
        }

        var basePath = _baseAddress.AbsolutePath.TrimEnd('/');
        return new Uri(_baseAddress, basePath + sb);
    }

    private static void EnsureSuccess(Response response, string method, string path)
    {
        if (response.StatusCode is >= 200 and < 300) return;
        throw NomadApiException.Create(response.StatusCode, ErrorText(response), method, path);
    }

    private static string ErrorText(Response response)
    {
        var text = Encoding.UTF8.GetString(response.Body);
        return text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] + "…" : text;
    }

    private static T Deserialize<T>(Response response, JsonTypeInfo<T> type, string method, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, type)
                ?? throw new NomadApiException(response.StatusCode, "unexpected null body", method, path);
        }
        catch (JsonException ex)
        {
            throw new NomadApiException($"{method} {path}: cannot decode Nomad's reply as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    internal static QueryMeta ParseMeta(HttpResponseHeaders headers)
    {
        static string? Header(HttpResponseHeaders h, string name) => h.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;
        _ = ulong.TryParse(Header(headers, "X-Nomad-Index"), NumberStyles.None, CultureInfo.InvariantCulture, out var index);
        _ = long.TryParse(Header(headers, "X-Nomad-LastContact"), NumberStyles.None, CultureInfo.InvariantCulture, out var lastContact);
        var knownLeader = string.Equals(Header(headers, "X-Nomad-KnownLeader"), "true", StringComparison.Ordinal);
        var next = Header(headers, "X-Nomad-NextToken");
        return new QueryMeta(index, TimeSpan.FromMilliseconds(lastContact), knownLeader, string.IsNullOrEmpty(next) ? null : next);
    }

    private static string EscapeJobId(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        // Dispatched and periodic children have '/' in their IDs; Go's url.PathEscape turns it into %2F.
        return Uri.EscapeDataString(jobId);
    }

    private static string CheckId(string id, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(id, paramName);
        if (id.Contains('/', StringComparison.Ordinal) || id.Contains('?', StringComparison.Ordinal) || id.Contains('#', StringComparison.Ordinal))
            throw new ArgumentException($"invalid ID \"{id}\"", paramName);
        return id;
    }

    private static List<T> SortNewestFirst<T>(List<T> items, Func<T, ulong> createIndex)
    {
        // Stable, so equal indexes keep the server's order (the Go client uses sort.Sort; ties are rare).
        var sorted = items.OrderByDescending(createIndex).ToList();
        return sorted;
    }
}
