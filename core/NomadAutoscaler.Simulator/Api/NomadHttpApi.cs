using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NomadAutoscaler.Simulator.Cloud;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// Nomad's HTTP surface. Routing copies Go's ServeMux prefix matching on the *decoded* path (so <c>%2F</c> in a
/// job ID is a slash, and an unknown suffix under a known prefix reaches that prefix's handler), because
/// ASP.NET routing would answer those cases differently from Nomad.
/// </summary>
internal sealed partial class NomadHttpApi
{
    private readonly ClusterState _state;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;

    private readonly InjectedFaults _faults;
    private readonly SimulatedCloud? _cloud;

    public NomadHttpApi(ClusterState state, SimulatorOptions options, TimeProvider time, InjectedFaults? faults = null, SimulatedCloud? cloud = null)
    {
        _cloud = cloud;
        _faults = faults ?? new InjectedFaults();
        _state = state;
        _options = options;
        _time = time;
        _aclPolicies = options.AclTokens.ToDictionary(t => t.Key, t => AclPolicy.Parse(t.Value, "acl-policy.hcl"), StringComparer.Ordinal);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(queryStart >= 0 ? rawTarget[..queryStart] : rawTarget);
        try
        {
            _faults.RunBefore(context.Request.Method, path);
            if (_faults.Match(path) is { } fault)
            {
                throw new NomadError(fault.StatusCode, fault.Body);
            }

            await DispatchAsync(context, path);
        }
        catch (NomadError error)
        {
            await WriteErrorAsync(context, error);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away while a blocking query waited.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // Nomad answers uncoded failures with 500 and the bare message.
            await WriteErrorAsync(context, new NomadError(500, ex.Message));
        }
    }

    private Task DispatchAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        switch (path)
        {
            case "/v1/status/leader":
                return Method(context, "GET") ?? WriteJsonAsync(context, JsonValue.Create(_options.LeaderAddress), null, readMeta: false);
            case "/v1/status/peers":
                return Method(context, "GET") ?? WriteJsonAsync(context, new JsonArray(_options.LeaderAddress), null, readMeta: false);
            case "/v1/regions":
                return Method(context, "GET") ?? WriteJsonAsync(context, new JsonArray(_options.Region), null, readMeta: false);
        }

        if (path.StartsWith(CloudPrefix, StringComparison.Ordinal))
        {
            return CloudAsync(context, path[CloudPrefix.Length..]);
        }

        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }

        // Query parsing and region forwarding come before the ACL check, as in Nomad's handlers and RPC layer;
        // /v1/metrics needs no ACL.
        var query = ApiQuery.Parse(context.Request.Query, _options.Region);
        if (path != "/v1/metrics")
        {
            Authorize(context, path, query);
        }

        if (path == "/v1/nodes")
        {
            return Method(context, "GET") ?? ListNodesAsync(context, query);
        }

        if (path.StartsWith("/v1/node/", StringComparison.Ordinal))
        {
            return NodeAsync(context, query, path["/v1/node/".Length..]);
        }

        if (path == "/v1/jobs")
        {
            return method switch
            {
                "GET" => ListJobsAsync(context, query),
                "PUT" or "POST" => RegisterJobAsync(context, query, null),
                _ => InvalidMethod(context),
            };
        }

        if (path.StartsWith("/v1/job/", StringComparison.Ordinal))
        {
            return JobAsync(context, query, path["/v1/job/".Length..]);
        }

        if (path == "/v1/allocations")
        {
            return Method(context, "GET") ?? ListAllocationsAsync(context, query);
        }

        if (path.StartsWith("/v1/allocation/", StringComparison.Ordinal))
        {
            return Method(context, "GET") ?? GetAllocationAsync(context, query, path["/v1/allocation/".Length..]);
        }

        if (path.StartsWith("/v1/client/allocation/", StringComparison.Ordinal))
        {
            return AllocationStatsAsync(context, path["/v1/client/allocation/".Length..]);
        }

        if (path == "/v1/evaluations")
        {
            return Method(context, "GET") ?? ListEvaluationsAsync(context, query);
        }

        if (path.StartsWith("/v1/evaluation/", StringComparison.Ordinal))
        {
            return Method(context, "GET") ?? GetEvaluationAsync(context, query, path["/v1/evaluation/".Length..]);
        }

        if (path == "/v1/deployments")
        {
            return Method(context, "GET") ?? ListDeploymentsAsync(context, query);
        }

        if (path == "/v1/scaling/policies")
        {
            return Method(context, "GET") ?? ListPoliciesAsync(context, query);
        }

        if (path.StartsWith("/v1/scaling/policy/", StringComparison.Ordinal))
        {
            return Method(context, "GET") ?? GetPolicyAsync(context, query, path["/v1/scaling/policy/".Length..]);
        }

        if (path == "/v1/vars")
        {
            return Method(context, "GET") ?? ListVariablesAsync(context, query);
        }

        if (path.StartsWith("/v1/var/", StringComparison.Ordinal))
        {
            return VariableAsync(context, query, path["/v1/var/".Length..]);
        }

        if (path == "/v1/metrics")
        {
            return Method(context, "GET") ?? MetricsAsync(context);
        }

        if (path == "/v1/agent/self")
        {
            return Method(context, "GET") ?? AgentSelfAsync(context);
        }

        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    /// <summary>Null when the method is allowed, else the 405 reply.</summary>
    private static Task? Method(HttpContext context, params string[] allowed) =>
        allowed.Contains(context.Request.Method) ? null : InvalidMethod(context);

    private static Task InvalidMethod(HttpContext context) => WriteErrorAsync(context, new NomadError(405, "Invalid method"));

    internal static string? RequestToken(HttpContext context)
    {
        var token = context.Request.Headers["X-Nomad-Token"].ToString();
        if (token.Length > 0)
        {
            return token;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>
    /// A blocking read: re-run <paramref name="query"/> until its index passes <c>?index</c> or the wait (plus up to
    /// wait/16 of jitter, as Nomad) runs out; then answer with whatever the last run produced.
    /// </summary>
    private async Task BlockingReadAsync(HttpContext context, ApiQuery apiQuery, Func<ReadResult> query)
    {
        var cancellationToken = context.RequestAborted;
        var start = _time.GetUtcNow();
        var jitter = TimeSpan.FromTicks((long)(_state.Settings.Random.NextDouble() * apiQuery.Wait.Ticks / 16));
        var deadline = start + apiQuery.Wait + jitter;
        while (true)
        {
            var (result, changed) = _state.Read(query);
            var remaining = deadline - _time.GetUtcNow();
            if (apiQuery.Index == 0 || result.Index > apiQuery.Index || remaining <= TimeSpan.Zero)
            {
                await WriteReadAsync(context, result, apiQuery.Pretty);
                return;
            }

            // A timer and a registration of its own rather than Task.Delay: a cancelled Task.Delay resumes its awaiter
            // on the thread pool, and Task.Delay rounds a wait below a millisecond to none, so the read would spin
            // without the clock moving. The scaling lab's one-threaded virtual clock must see neither; the wake-up runs
            // where the timer or the cancellation runs (the lab's loop), or on the thread pool when nothing dispatches.
            var wake = new TaskCompletionSource(_state.Settings.Dispatch is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
            using (_time.CreateTimer(static w => ((TaskCompletionSource)w!).TrySetResult(), wake, remaining, Timeout.InfiniteTimeSpan))
            using (cancellationToken.UnsafeRegister(static w => ((TaskCompletionSource)w!).TrySetResult(), wake))
            {
                await Task.WhenAny(changed, wake.Task);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private Task WriteReadAsync(HttpContext context, ReadResult result, bool pretty)
    {
        SetReadMeta(context, result.Index);
        if (result.NextToken is { } nextToken)
        {
            context.Response.Headers["X-Nomad-NextToken"] = nextToken;
        }

        if (result.StatusCode != 200)
        {
            return WriteTextAsync(context, result.StatusCode, result.Error ?? "");
        }

        return WriteBodyAsync(context, result.Body, pretty);
    }

    private static void SetReadMeta(HttpContext context, ulong index)
    {
        context.Response.Headers["X-Nomad-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["X-Nomad-LastContact"] = "0";
        context.Response.Headers["X-Nomad-KnownLeader"] = "true";
    }

    private static Task WriteJsonAsync(HttpContext context, JsonNode? body, ulong? index, bool readMeta, bool pretty = false)
    {
        if (readMeta && index is { } i)
        {
            SetReadMeta(context, i);
        }
        else if (index is { } writeIndex)
        {
            context.Response.Headers["X-Nomad-Index"] = writeIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteBodyAsync(context, body, pretty);
    }

    private static Task WriteBodyAsync(HttpContext context, JsonNode? body, bool pretty)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var text = body is null ? "null" : body.ToJsonString(pretty ? NomadJson.Pretty : NomadJson.Compact);
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext context, NomadError error)
    {
        if (error.Index is { } index && !error.JsonBody)
        {
            context.Response.Headers["X-Nomad-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.JsonBody)
        {
            // Nomad writes the 409 status before its headers, so neither Content-Type: application/json nor
            // X-Nomad-Index survive; Go then sniffs the body and sends text/plain.
            context.Response.StatusCode = error.StatusCode;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(error.Body, context.RequestAborted);
        }

        return WriteTextAsync(context, error.StatusCode, error.Body);
    }

    private static Task WriteTextAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return body.Length == 0 ? Task.CompletedTask : context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static async Task<JsonNode?> ReadBodyAsync(HttpContext context, bool required)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? throw new NomadError(400, "Request body is empty") : null;
        }

        try
        {
            return JsonNode.Parse(text, new JsonNodeOptions { PropertyNameCaseInsensitive = true });
        }
        catch (JsonException ex)
        {
            throw new NomadError(400, $"Failed to decode request body: {ex.Message}");
        }
    }

    private static bool QueryBool(HttpContext context, string name, bool defaultValue, string errorPrefix)
    {
        if (!context.Request.Query.TryGetValue(name, out var value))
        {
            return defaultValue;
        }

        return value.ToString() switch
        {
            "" or "true" or "1" or "t" or "T" or "TRUE" or "True" => true,
            "false" or "0" or "f" or "F" or "FALSE" or "False" => false,
            var other => throw new NomadError(400, $"{errorPrefix}strconv.ParseBool: parsing \"{other}\": invalid syntax"),
        };
    }

    private static bool NamespaceMatches(ApiQuery query, string ns) => query.Namespace == "*" || query.Namespace == ns;

    private static string RemoteClient(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : "";

    private SimScalingPolicy? PolicyFor(SimJob job, SimTaskGroup group) =>
        _state.Policies.Values.FirstOrDefault(p => p.Namespace == job.Namespace && p.JobID == job.ID && p.Group == group.Name);
}
