using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk.Logging;
using Polly;
using Polly.Retry;

namespace NomadAutoscaler.OpenStack;

/// <summary>An authenticated connection to one OpenStack cloud: Keystone v3 token (cached, renewed before it
/// expires and after a 401), the service catalog, and JSON requests to any service with retries of idempotent calls.</summary>
/// <remarks>Thread-safe. Secrets (password, application-credential secret, tokens) never appear in logs or exception messages.</remarks>
public sealed class OpenStackSession : IDisposable
{
    private const string AuthTokenHeader = "X-Auth-Token";
    private const string SubjectTokenHeader = "X-Subject-Token";
    private readonly OpenStackCredentials _credentials;
    private readonly OpenStackClientOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _authGate = new(1, 1);
    private readonly ResiliencePipeline _idempotentPipeline;
    private volatile TokenState? _token;
    private int _authenticationCount;

    /// <summary>Creates a session; nothing is sent until the first request (or <see cref="AuthenticateAsync"/>).</summary>
    /// <param name="credentials">Where and how to authenticate.</param>
    /// <param name="options">Transport behaviour; null for defaults.</param>
    /// <param name="handler">The HTTP handler (tests, proxies); null builds one from the TLS settings of <paramref name="credentials"/>.</param>
    /// <param name="timeProvider">Clock for token expiry and retry delays.</param>
    /// <param name="logger">Debug output of authentication and retries.</param>
    /// <exception cref="OpenStackConfigException">The credentials are incomplete or the CA file cannot be read.</exception>
    public OpenStackSession(OpenStackCredentials credentials, OpenStackClientOptions? options = null, HttpMessageHandler? handler = null,
        TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var problems = credentials.Validate();
        if (problems.Count > 0) throw new OpenStackConfigException("invalid OpenStack credentials: " + string.Join("; ", problems));
        _credentials = credentials;
        _options = options ?? new OpenStackClientOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _http = new HttpClient(handler ?? CreateHandler(credentials), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(_options.UserAgent, "1.0"));
        _idempotentPipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<OpenStackApiException>(e => e.IsTransient),
                MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
                Delay = _options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    _logger.Hclog(LogLevel.Debug, "retrying OpenStack request after transient error", ("attempt", args.AttemptNumber + 1),
                        ("error", args.Outcome.Exception?.Message));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        if (_options.MaxRetries <= 0) _idempotentPipeline = ResiliencePipeline.Empty;
    }

    /// <summary>The credentials (secrets included; never log them, <see cref="OpenStackCredentials.ToString"/> redacts).</summary>
    public OpenStackCredentials Credentials => _credentials;

    /// <summary>How many times a token was requested from Keystone (renewals included).</summary>
    public int AuthenticationCount => Volatile.Read(ref _authenticationCount);

    /// <summary>The project the current token is scoped to (null before the first authentication).</summary>
    public string? ProjectId => _token?.ProjectId;

    /// <summary>The current token's expiry (null before the first authentication).</summary>
    public DateTimeOffset? TokenExpiresAt => _token?.ExpiresAt;

    /// <summary>The catalog of the current token.</summary>
    /// <exception cref="InvalidOperationException">Not authenticated yet.</exception>
    public ServiceCatalog Catalog => _token?.Catalog ?? throw new InvalidOperationException("not authenticated yet");

    /// <summary>Gets a token now (or returns the cached one while it is valid).</summary>
    /// <exception cref="OpenStackApiException">Keystone refused or could not be reached.</exception>
    public async Task AuthenticateAsync(CancellationToken cancellationToken = default) => await GetTokenAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Forgets the cached token, so the next request authenticates again.</summary>
    public void InvalidateToken() => _token = null;

    /// <summary>The token value, for callers that must pass it on (never log it).</summary>
    internal async Task<string> GetTokenValueAsync(CancellationToken cancellationToken) => (await GetTokenAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The base URL of a service: the override, else the catalog entry for the configured region and interface.</summary>
    public async Task<Uri> GetEndpointAsync(string serviceType, CancellationToken cancellationToken = default)
        => Endpoint(serviceType, await GetTokenAsync(cancellationToken).ConfigureAwait(false));

    private Uri Endpoint(string serviceType, TokenState token)
        => WithSlash(_options.EndpointOverrides.TryGetValue(serviceType, out var overridden)
            ? overridden
            : token.Catalog.Resolve(serviceType, _credentials.RegionName, _credentials.Interface));

    /// <summary>True when the catalog offers the service in the configured region and interface (or it is overridden).</summary>
    public async Task<bool> HasServiceAsync(string serviceType, CancellationToken cancellationToken = default)
    {
        if (_options.EndpointOverrides.ContainsKey(serviceType)) return true;
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        return token.Catalog.Has(serviceType, _credentials.RegionName, _credentials.Interface);
    }

    /// <summary>Sends one JSON request to a service and returns the parsed body (null when empty).</summary>
    /// <param name="serviceType">Catalog service type.</param>
    /// <param name="method">HTTP method.</param>
    /// <param name="path">Path relative to the service's base URL (with query string), or an absolute URL.</param>
    /// <param name="body">JSON body.</param>
    /// <param name="headers">Extra headers (for example the Nova microversion).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OpenStackApiException">An error status (after retries, for idempotent methods) or no answer.</exception>
    public async Task<JsonNode?> SendAsync(string serviceType, HttpMethod method, string path, JsonNode? body = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var idempotent = method != HttpMethod.Post && method != HttpMethod.Patch;
        var payload = body?.ToJsonString();
        if (!idempotent) return await SendOnceAsync(serviceType, method, path, payload, headers, cancellationToken).ConfigureAwait(false);
        return await _idempotentPipeline.ExecuteAsync(
            async ct => await SendOnceAsync(serviceType, method, path, payload, headers, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonNode?> SendOnceAsync(string serviceType, HttpMethod method, string path, string? payload,
        IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
            var baseUrl = Endpoint(serviceType, token);
            var url = Uri.TryCreate(path, UriKind.Absolute, out var absolute) ? absolute : new Uri(baseUrl, path.TrimStart('/'));
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Add(AuthTokenHeader, token.Value);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (headers is not null)
            {
                foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
            }

            if (payload is not null) request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
            var (status, text) = await ExchangeAsync(serviceType, request, url.AbsolutePath, cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The token was revoked or expired early: renew it once and repeat the call (a 401 was not applied).
                _logger.Hclog(LogLevel.Debug, "OpenStack answered 401, re-authenticating", ("service", serviceType));
                Interlocked.CompareExchange(ref _token, null, token);
                continue;
            }

            if ((int)status >= 400)
                throw new OpenStackApiException(serviceType, method, url.AbsolutePath, status, ErrorDetail(text));
            return string.IsNullOrWhiteSpace(text) ? null : ParseJson(serviceType, method, url.AbsolutePath, status, text);
        }
    }

    private async Task<(HttpStatusCode Status, string Text)> ExchangeAsync(string serviceType, HttpRequestMessage request, string path,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            return (response.StatusCode, text);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenStackApiException(serviceType, request.Method, path, null,
                $"no answer within {_options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OpenStackApiException(serviceType, request.Method, path, null, ex.Message, ex);
        }
    }

    private async Task<TokenState> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = _token;
        if (current is not null && !NeedsRenewal(current)) return current;
        await _authGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _token;
            if (current is not null && !NeedsRenewal(current)) return current;
            var renewed = await _idempotentPipeline.ExecuteAsync(async ct => await RequestTokenAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            _token = renewed;
            return renewed;
        }
        finally
        {
            _authGate.Release();
        }
    }

    private bool NeedsRenewal(TokenState token) => _time.GetUtcNow() >= token.ExpiresAt - _options.TokenRefreshMargin;

    private async Task<TokenState> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var url = new Uri(_credentials.IdentityV3Url, "auth/tokens");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(BuildAuthBody(_credentials).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        Interlocked.Increment(ref _authenticationCount);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenStackApiException("identity", HttpMethod.Post, url.AbsolutePath, null, "no answer from Keystone in time", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OpenStackApiException("identity", HttpMethod.Post, url.AbsolutePath, null, ex.Message, ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new OpenStackApiException("identity", HttpMethod.Post, url.AbsolutePath, response.StatusCode, "authentication failed: " + ErrorDetail(text));
            var value = response.Headers.TryGetValues(SubjectTokenHeader, out var values) ? values.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(value))
                throw new OpenStackApiException("identity", HttpMethod.Post, url.AbsolutePath, response.StatusCode, "Keystone answered without X-Subject-Token");
            var token = ParseJson("identity", HttpMethod.Post, url.AbsolutePath, response.StatusCode, text)?["token"];
            var expiresText = token?["expires_at"]?.GetValue<string>();
            var expiresAt = expiresText is not null && DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : _time.GetUtcNow().AddHours(1);
            var state = new TokenState(value, expiresAt, token?["project"]?["id"]?.GetValue<string>(), ServiceCatalog.Parse(token?["catalog"] as JsonArray));
            _logger.Hclog(LogLevel.Debug, "authenticated with Keystone", ("project_id", state.ProjectId), ("expires_at", expiresAt));
            return state;
        }
    }

    internal static JsonObject BuildAuthBody(OpenStackCredentials c)
    {
        JsonObject identity;
        JsonObject? scope = null;
        if (c.UsesApplicationCredential)
        {
            var credential = new JsonObject { ["secret"] = c.ApplicationCredentialSecret };
            if (!string.IsNullOrEmpty(c.ApplicationCredentialId)) credential["id"] = c.ApplicationCredentialId;
            else
            {
                credential["name"] = c.ApplicationCredentialName;
                credential["user"] = UserObject(c);
            }

            // An application credential carries its own project scope; Keystone rejects an explicit one.
            identity = new JsonObject { ["methods"] = new JsonArray("application_credential"), ["application_credential"] = credential };
        }
        else
        {
            var user = UserObject(c);
            user["password"] = c.Password;
            identity = new JsonObject { ["methods"] = new JsonArray("password"), ["password"] = new JsonObject { ["user"] = user } };
            JsonObject project;
            if (!string.IsNullOrEmpty(c.ProjectId)) project = new JsonObject { ["id"] = c.ProjectId };
            else
            {
                project = new JsonObject { ["name"] = c.ProjectName };
                project["domain"] = c.EffectiveProjectDomainId is { } domainId
                    ? new JsonObject { ["id"] = domainId }
                    : new JsonObject { ["name"] = c.EffectiveProjectDomainName };
            }

            scope = new JsonObject { ["project"] = project };
        }

        var auth = new JsonObject { ["identity"] = identity };
        if (scope is not null) auth["scope"] = scope;
        return new JsonObject { ["auth"] = auth };
    }

    private static JsonObject UserObject(OpenStackCredentials c)
    {
        if (!string.IsNullOrEmpty(c.UserId)) return new JsonObject { ["id"] = c.UserId };
        var user = new JsonObject { ["name"] = c.Username };
        user["domain"] = c.EffectiveUserDomainId is { } domainId
            ? new JsonObject { ["id"] = domainId }
            : new JsonObject { ["name"] = c.EffectiveUserDomainName };
        return user;
    }

    private static JsonNode? ParseJson(string service, HttpMethod method, string path, HttpStatusCode status, string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new OpenStackApiException(service, method, path, status, $"invalid JSON in the answer: {ex.Message}", ex);
        }
    }

    /// <summary>The message of an OpenStack error body: Nova <c>{"itemNotFound": {"message"}}</c>, Neutron
    /// <c>{"NeutronError": {"message"}}</c>, Keystone <c>{"error": {"message"}}</c>, or the text itself.</summary>
    internal static string ErrorDetail(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "(empty body)";
        try
        {
            if (JsonNode.Parse(text) is JsonObject obj)
            {
                foreach (var (_, value) in obj)
                {
                    if (value is JsonObject inner && inner["message"] is JsonValue message) return message.ToString();
                }

                if (obj["message"] is JsonValue top) return top.ToString();
                if (obj["title"] is JsonValue title) return title.ToString();
            }
        }
        catch (JsonException)
        {
            // Not JSON (Glance and WSGI error pages are HTML or text): fall through to the raw text.
        }

        var trimmed = text.Trim();
        return trimmed.Length > 300 ? trimmed[..300] + "…" : trimmed;
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static SocketsHttpHandler CreateHandler(OpenStackCredentials credentials)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = 32,
        };
        if (credentials.InsecureSkipVerify)
        {
#pragma warning disable CA5359 // insecure_skip_verify is an explicit operator choice (test clouds with self-signed certificates).
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrEmpty(credentials.CaCertFile))
        {
            X509Certificate2Collection roots;
            try
            {
                roots = [];
                roots.ImportFromPemFile(credentials.CaCertFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new OpenStackConfigException($"cacert_file \"{credentials.CaCertFile}\": {ex.Message}", ex);
            }

            if (roots.Count == 0) throw new OpenStackConfigException($"cacert_file \"{credentials.CaCertFile}\" holds no PEM certificate");
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { } },
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        return handler;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _authGate.Dispose();
    }

    private sealed record TokenState(string Value, DateTimeOffset ExpiresAt, string? ProjectId, ServiceCatalog Catalog);
}
