using System.Text;
using System.Text.Json;

namespace NomadAutoscaler.Nomad;

public sealed partial class NomadClient
{
    /// <summary><c>GET /v1/var/:path</c>. A missing variable gives a null value (with the index, for blocking).</summary>
    public async Task<QueryResult<Variable?>> GetVariableAsync(string path, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var urlPath = VariablePath(path);
        var wait = query is { WaitIndex: > 0 } ? query.WaitTime ?? Options.BlockQueryWaitTime : TimeSpan.Zero;
        var response = await SendAsync(HttpMethod.Get, urlPath, ReadParameters(query), null, RetryMode.Read, wait, null, cancellationToken).ConfigureAwait(false);
        var meta = ParseMeta(response.Headers);
        if (response.StatusCode == 404) return new(null, meta);
        EnsureSuccess(response, "GET", urlPath);
        return new(Deserialize(response, NomadJsonContext.Default.Variable, "GET", urlPath), meta);
    }

    /// <summary><c>PUT /v1/var/:path</c>: creates or replaces a variable's items.</summary>
    /// <param name="path">The variable path.</param>
    /// <param name="items">The items (at least one).</param>
    /// <param name="checkIndex">Check-and-set: 0 = create only, otherwise the expected <c>ModifyIndex</c>. A mismatch
    /// throws <see cref="NomadConflictException"/>.</param>
    /// <param name="options">Namespace and region.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<Variable> PutVariableAsync(string path, IReadOnlyDictionary<string, string> items, ulong? checkIndex = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var urlPath = VariablePath(path);
        List<KeyValuePair<string, string>>? extra = checkIndex is { } cas ? [new("cas", cas.ToString(System.Globalization.CultureInfo.InvariantCulture))] : null;
        var body = new Variable { Path = path, Namespace = options?.Namespace ?? "", Items = items };
        return WriteAsync(HttpMethod.Put, urlPath, options, extra, body, NomadJsonContext.Default.Variable, NomadJsonContext.Default.Variable, cancellationToken);
    }

    /// <summary><c>DELETE /v1/var/:path</c>.</summary>
    public async Task DeleteVariableAsync(string path, ulong? checkIndex = null, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var urlPath = VariablePath(path);
        var parameters = WriteParameters(options);
        if (checkIndex is { } cas) parameters.Add(new("cas", cas.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var response = await SendAsync(HttpMethod.Delete, urlPath, parameters, null, RetryMode.Write, TimeSpan.Zero, null, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, "DELETE", urlPath);
    }

    /// <summary><c>PUT /v1/var/:path?lock-acquire</c>: takes the lock (creating the variable if needed).
    /// A lock held by another ID is a conflict result, not an exception.</summary>
    /// <param name="path">The variable path, e.g. <c>nomad-autoscaler/lock</c>.</param>
    /// <param name="ttl">Lock lifetime without renew (Nomad allows 10s–24h).</param>
    /// <param name="lockDelay">How long an expired lock stays blocked.</param>
    /// <param name="options">Namespace and region.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<VariableLockResult> AcquireLockAsync(string path, TimeSpan ttl, TimeSpan lockDelay, WriteOptions? options = null, CancellationToken cancellationToken = default)
        => LockAsync("lock-acquire", path, new Variable { Path = path, Lock = new VariableLock { TTL = ttl, LockDelay = lockDelay } }, ttl, options, cancellationToken);

    /// <summary><c>PUT /v1/var/:path?lock-renew</c>. A conflict means the lock was lost.</summary>
    /// <param name="path">The variable path.</param>
    /// <param name="held">The lock as returned by acquire.</param>
    /// <param name="options">Namespace and region.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<VariableLockResult> RenewLockAsync(string path, VariableLock held, WriteOptions? options = null, CancellationToken cancellationToken = default)
        => LockAsync("lock-renew", path, new Variable { Path = path, Lock = held }, held.TTL, options, cancellationToken);

    /// <summary><c>PUT /v1/var/:path?lock-release</c>. A conflict means the lock is not held by this ID.</summary>
    /// <param name="path">The variable path.</param>
    /// <param name="held">The lock as returned by acquire.</param>
    /// <param name="options">Namespace and region.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<VariableLockResult> ReleaseLockAsync(string path, VariableLock held, WriteOptions? options = null, CancellationToken cancellationToken = default)
        // Go sends a zero Variable carrying only the lock ID; path and namespace come from the URL.
        => LockAsync("lock-release", "", new Variable { Lock = new VariableLock { ID = held.ID } }, held.TTL, options, cancellationToken, path);

    private async Task<VariableLockResult> LockAsync(string operation, string path, Variable body, TimeSpan ttl, WriteOptions? options, CancellationToken cancellationToken, string? urlPathOverride = null)
    {
        var urlPath = VariablePath(urlPathOverride ?? path);
        var parameters = WriteParameters(options);
        parameters.Add(new(operation, ""));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, NomadJsonContext.Default.Variable);
        var budget = ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(15);
        var response = await SendAsync(HttpMethod.Put, urlPath, parameters, bytes, RetryMode.Lock, TimeSpan.Zero, budget, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 409)
        {
            // The 409 of acquire/release has a JSON body but no JSON content type; renew's is plain text.
            var text = Encoding.UTF8.GetString(response.Body);
            Variable? holder = null;
            if (text.TrimStart().StartsWith('{'))
            {
                try
                {
                    holder = JsonSerializer.Deserialize(response.Body, NomadJsonContext.Default.Variable);
                }
                catch (JsonException)
                {
                    holder = null;
                }
            }

            return new VariableLockResult { IsConflict = true, Variable = holder, ConflictMessage = holder is null ? text : "lock is held by another client" };
        }

        EnsureSuccess(response, "PUT", urlPath);
        return new VariableLockResult { Variable = Deserialize(response, NomadJsonContext.Default.Variable, "PUT", urlPath) };
    }

    private static string VariablePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Length > 128 || !path.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '~' or '/'))
            throw new ArgumentException($"invalid variable path \"{path}\": use 1-128 of a-z A-Z 0-9 - _ ~ /", nameof(path));
        return "/v1/var/" + path;
    }
}
