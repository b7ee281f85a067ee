using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

internal sealed partial class NomadHttpApi
{
    private static readonly string[] s_lockOperations = ["lock-acquire", "lock-renew", "lock-release"];

    private Task ListVariablesAsync(HttpContext context, ApiQuery query)
    {
        var filter = query.Filter is null ? null : BexprFilter.Parse(query.Filter);
        return BlockingReadAsync(context, query, () =>
        {
            var (page, next) = query.Paginate(
                _state.Variables.Values.Where(v => NamespaceMatches(query, v.Namespace) && v.Path.StartsWith(query.Prefix, StringComparison.Ordinal)
                    && (filter is null || filter.Matches(new Dictionary<string, object?>(StringComparer.Ordinal) { ["Path"] = v.Path, ["Namespace"] = v.Namespace }))),
                v => v.Namespace + "." + v.Path);
            return new ReadResult(
                Math.Max(1, _state.TableIndex(ClusterState.TableVariables)),
                new JsonArray([.. page.Select(v => (JsonNode)NomadJson.Variable(v, includeItems: false, includeLock: true))])) { NextToken = next };
        });
    }

    private async Task VariableAsync(HttpContext context, ApiQuery query, string path)
    {
        var method = context.Request.Method;
        if (method is not ("GET" or "PUT" or "POST" or "DELETE"))
        {
            throw new NomadError(400, "Invalid method");
        }

        if (path.Length == 0)
        {
            throw new NomadError(400, "missing variable path");
        }

        if (method == "GET")
        {
            var management = IsManagement(context);
            await BlockingReadAsync(context, query, () =>
                _state.GetVariable(query.Namespace, path) is { } variable
                    ? new ReadResult(variable.ModifyIndex, NomadJson.Variable(variable, includeItems: true, includeLock: management))
                    : ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TableVariables)), "variable not found"));
            return;
        }

        ulong? cas = null;
        if (context.Request.Query.TryGetValue("cas", out var casText))
        {
            cas = ulong.TryParse(casText.ToString(), out var parsed) ? parsed : throw new NomadError(400, "failed to parse cas value: invalid syntax");
        }

        if (method == "DELETE")
        {
            var deleteIndex = _state.Write(() =>
            {
                _state.DeleteVariable(query.Namespace, path, cas);
                return _state.LatestIndex;
            });
            context.Response.Headers["X-Nomad-Index"] = deleteIndex.ToString(CultureInfo.InvariantCulture);
            context.Response.StatusCode = 204;
            return;
        }

        var lockOps = s_lockOperations.Where(context.Request.Query.ContainsKey).ToList();
        if (lockOps.Count > 1)
        {
            throw new NomadError(400, "multiple lock operations");
        }

        if (lockOps.Count == 1 && cas is not null)
        {
            throw new NomadError(400, "CAS can't be used with lock operations");
        }

        var body = await ReadBodyAsync(context, required: true) as JsonObject ?? throw new NomadError(400, "Request body is empty");
        var bodyNamespace = JobParser.GetString(body, "Namespace");
        var ns = string.IsNullOrEmpty(bodyNamespace) ? query.Namespace : bodyNamespace;
        var itemsNode = JobParser.Get(body, "Items");
        var items = JobParser.ParseStringMap(itemsNode);
        var lockNode = JobParser.Get(body, "Lock") as JsonObject;
        var lockId = lockNode is null ? null : JobParser.GetString(lockNode, "ID");
        switch (lockOps.FirstOrDefault())
        {
            case "lock-acquire":
            {
                var ttl = LockDuration(lockNode, "TTL");
                var delay = LockDuration(lockNode, "LockDelay");
                var variable = _state.Write(() => _state.AcquireLock(ns, path, items, ttl, delay, lockId));
                await WriteJsonAsync(context, NomadJson.Variable(variable, includeItems: items is not null, includeLock: true), variable.ModifyIndex, readMeta: false);
                return;
            }

            case "lock-renew":
            {
                // Renew uses only the query namespace, and is not a Raft write: no index header.
                var variable = _state.Write(() => _state.RenewLock(query.Namespace, path, lockId));
                await WriteJsonAsync(context, NomadJson.Variable(variable, includeItems: false, includeLock: true), null, readMeta: false);
                return;
            }

            case "lock-release":
            {
                var variable = _state.Write(() => _state.ReleaseLock(ns, path, lockId, itemsNode is not null));
                await WriteJsonAsync(context, NomadJson.Variable(variable, includeItems: false, includeLock: false), variable.ModifyIndex, readMeta: false);
                return;
            }

            default:
            {
                var variable = _state.Write(() => _state.UpsertVariable(ns, path, items, cas, lockId));
                await WriteJsonAsync(context, NomadJson.Variable(variable, includeItems: true, includeLock: true), variable.ModifyIndex, readMeta: false);
                return;
            }
        }
    }

    /// <summary>Lock durations arrive as Go duration strings, or as nanosecond numbers.</summary>
    private static TimeSpan LockDuration(JsonObject? lockNode, string name)
    {
        var value = lockNode is null ? null : JobParser.Get(lockNode, name);
        if (value is not JsonValue v)
        {
            return TimeSpan.Zero;
        }

        if (v.GetValueKind() == JsonValueKind.Number)
        {
            return TimeSpan.FromTicks(JobParser.GetLong(lockNode!, name)!.Value / 100);
        }

        var text = v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
        if (text.Length == 0)
        {
            return TimeSpan.Zero;
        }

        return GoDuration.TryParse(text, out var duration)
            ? duration
            : throw new NomadError(400, $"Failed to decode request body: time: invalid duration \"{text}\"");
    }

    private Task MetricsAsync(HttpContext context)
    {
        var format = context.Request.Query["format"].ToString();
        if (format == "prometheus")
        {
            if (!_options.PrometheusMetrics)
            {
                return WriteTextAsync(context, 415, "Prometheus is not enabled");
            }

            var text = _state.Read(() => MetricsRenderer.Prometheus(_state, this, _options)).Result;
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return context.Response.WriteAsync(text, context.RequestAborted);
        }

        var json = _state.Read(() => MetricsRenderer.Json(_state, this, _options)).Result;
        return WriteBodyAsync(context, json, context.Request.Query.ContainsKey("pretty"));
    }

    private Task AgentSelfAsync(HttpContext context)
    {
        var body = new JsonObject
        {
            ["config"] = new JsonObject
            {
                ["Region"] = _options.Region,
                ["Datacenter"] = _options.Datacenter,
                ["NodeName"] = _options.NodeName,
                ["Version"] = new JsonObject
                {
                    ["BuildDate"] = "2026-08-01T00:00:00Z",
                    ["Revision"] = NomadVersion.Revision,
                    ["Version"] = NomadVersion.Version,
                    ["VersionPrerelease"] = "",
                    ["VersionMetadata"] = "",
                },
                ["Telemetry"] = new JsonObject { ["PrometheusMetrics"] = _options.PrometheusMetrics },
                ["ACL"] = new JsonObject { ["Enabled"] = AclEnabled },
            },
            ["member"] = new JsonObject
            {
                ["Name"] = _options.NodeName + "." + _options.Region,
                ["Addr"] = "127.0.0.1",
                ["Port"] = 4648,
                ["Tags"] = new JsonObject
                {
                    ["region"] = _options.Region, ["dc"] = _options.Datacenter, ["role"] = "nomad", ["build"] = NomadVersion.Version,
                },
                ["Status"] = "alive",
                ["ProtocolMin"] = 1,
                ["ProtocolMax"] = 5,
                ["ProtocolCur"] = 2,
                ["DelegateMin"] = 2,
                ["DelegateMax"] = 5,
                ["DelegateCur"] = 4,
            },
            ["stats"] = new JsonObject
            {
                ["nomad"] = new JsonObject
                {
                    ["leader"] = "true", ["server"] = "true", ["known_regions"] = "1", ["bootstrap"] = "true",
                    ["leader_addr"] = _options.LeaderAddress,
                },
                ["client"] = new JsonObject { ["known_servers"] = _options.LeaderAddress, ["num_allocations"] = "0" },
            },
        };
        return WriteBodyAsync(context, body, context.Request.Query.ContainsKey("pretty"));
    }
}
