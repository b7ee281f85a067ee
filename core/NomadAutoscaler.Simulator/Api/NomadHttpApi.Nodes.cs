using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

internal sealed partial class NomadHttpApi
{
    private Task ListNodesAsync(HttpContext context, ApiQuery query)
    {
        var resources = QueryBool(context, "resources", false, "Failed to parse node list fields: ");
        var os = QueryBool(context, "os", false, "Failed to parse node list fields: ");
        var filter = query.Filter is null ? null : BexprFilter.Parse(query.Filter);
        return BlockingReadAsync(context, query, () =>
        {
            var (page, next) = query.Paginate(
                _state.Nodes.Values.Where(n => n.ID.StartsWith(query.Prefix, StringComparison.Ordinal) && (filter is null || filter.Matches(new FieldView<SimNode>(n, s_nodeFields)))),
                n => n.ID);
            var list = new JsonArray([.. page.Select(n => (JsonNode)NomadJson.NodeStub(n, resources, os))]);
            return new ReadResult(Math.Max(1, _state.TableIndex(ClusterState.TableNodes)), list) { NextToken = next };
        });
    }

    /// <summary>The fields of <c>structs.Node</c> a node list <c>filter</c> can select.</summary>
    private static readonly Dictionary<string, Func<SimNode, object?>> s_nodeFields = new(StringComparer.Ordinal)
    {
        ["ID"] = node => node.ID,
        ["Name"] = node => node.Name,
        ["Datacenter"] = node => node.Datacenter,
        ["NodeClass"] = node => node.NodeClass,
        ["NodePool"] = node => node.NodePool,
        ["Status"] = node => node.Status,
        ["StatusDescription"] = node => node.StatusDescription,
        ["SchedulingEligibility"] = node => node.SchedulingEligibility,
        ["HTTPAddr"] = node => node.Address + ":4646",
        ["Attributes"] = node => node.Attributes,
        ["Meta"] = node => node.Meta,
        ["DrainStrategy"] = node => node.DrainStrategy is null ? null : new Dictionary<string, object?>
        {
            ["Deadline"] = node.DrainStrategy.DeadlineNs,
            ["IgnoreSystemJobs"] = node.DrainStrategy.IgnoreSystemJobs,
        },
        ["CreateIndex"] = node => node.CreateIndex,
        ["ModifyIndex"] = node => node.ModifyIndex,
    };

    private Task NodeAsync(HttpContext context, ApiQuery query, string rest)
    {
        if (rest.EndsWith("/allocations", StringComparison.Ordinal))
        {
            var nodeId = rest[..^"/allocations".Length];
            return Method(context, "GET") ?? NodeAllocationsAsync(context, query, nodeId);
        }

        if (rest.EndsWith("/drain", StringComparison.Ordinal))
        {
            return Method(context, "PUT", "POST") ?? DrainAsync(context, rest[..^"/drain".Length]);
        }

        if (rest.EndsWith("/eligibility", StringComparison.Ordinal))
        {
            return Method(context, "PUT", "POST") ?? EligibilityAsync(context, rest[..^"/eligibility".Length]);
        }

        if (rest.EndsWith("/purge", StringComparison.Ordinal))
        {
            return Method(context, "PUT", "POST") ?? PurgeAsync(context, rest[..^"/purge".Length]);
        }

        if (rest.EndsWith("/evaluate", StringComparison.Ordinal))
        {
            return Method(context, "PUT", "POST") ?? EvaluateNodeAsync(context, rest[..^"/evaluate".Length]);
        }

        return Method(context, "GET") ?? BlockingReadAsync(context, query, () =>
            _state.Nodes.TryGetValue(rest, out var node)
                ? new ReadResult(node.ModifyIndex, NomadJson.Node(node))
                : ReadResult.NotFound(Math.Max(1, _state.TableIndex(ClusterState.TableNodes)), "node not found"));
    }

    private Task NodeAllocationsAsync(HttpContext context, ApiQuery query, string nodeId) =>
        BlockingReadAsync(context, query, () =>
        {
            var allocs = _state.AllocationsOnNode(nodeId).OrderBy(a => a.CreateIndex).ThenBy(a => a.ID, StringComparer.Ordinal).ToList();
            var index = allocs.Count == 0 ? Math.Max(1, _state.TableIndex(ClusterState.TableAllocs)) : allocs.Max(a => a.ModifyIndex);
            return new ReadResult(index, new JsonArray([.. allocs.Select(a => (JsonNode)NomadJson.Allocation(a, PolicyFor))]));
        });

    private async Task DrainAsync(HttpContext context, string nodeId)
    {
        var body = await ReadBodyAsync(context, required: true) as JsonObject ?? throw new NomadError(400, "Request body is empty");
        var spec = JobParser.Get(body, "DrainSpec") as JsonObject;
        long? deadline = spec is null ? null : JobParser.GetLong(spec, "Deadline") ?? 0;
        var ignoreSystem = spec is not null && JobParser.GetBool(spec, "IgnoreSystemJobs");
        var markEligible = JobParser.GetBool(body, "MarkEligible");
        var meta = JobParser.ParseStringMap(JobParser.Get(body, "Meta"));
        var result = _state.Write(() => _state.DrainNode(nodeId, deadline, ignoreSystem, markEligible, meta));
        await WriteJsonAsync(context, new JsonObject
        {
            ["EvalIDs"] = result.EvalIds is null ? null : new JsonArray([.. result.EvalIds.Select(e => (JsonNode)e)]),
            ["EvalCreateIndex"] = result.EvalCreateIndex,
            ["NodeModifyIndex"] = result.NodeModifyIndex,
            ["Index"] = result.Index,
        }, result.Index, readMeta: false);
    }

    private async Task EligibilityAsync(HttpContext context, string nodeId)
    {
        var body = await ReadBodyAsync(context, required: true) as JsonObject ?? throw new NomadError(400, "Request body is empty");
        if (JobParser.GetString(body, "NodeID") is { Length: > 0 } bodyNodeId)
        {
            nodeId = bodyNodeId;
        }

        var eligibility = JobParser.GetString(body, "Eligibility") ?? "";
        var result = _state.Write(() => _state.SetEligibility(nodeId, eligibility));
        await WriteJsonAsync(context, new JsonObject
        {
            ["EvalIDs"] = result.EvalIds is null ? null : new JsonArray([.. result.EvalIds.Select(e => (JsonNode)e)]),
            ["EvalCreateIndex"] = result.EvalCreateIndex,
            ["NodeModifyIndex"] = 0,
            ["Index"] = result.Index,
        }, result.Index, readMeta: false);
    }

    private Task PurgeAsync(HttpContext context, string nodeId)
    {
        var result = _state.Write(() => _state.PurgeNode(nodeId));
        return WriteJsonAsync(context, new JsonObject
        {
            ["HeartbeatTTL"] = 0,
            ["EvalIDs"] = result.EvalIds is null ? null : new JsonArray([.. result.EvalIds.Select(e => (JsonNode)e)]),
            ["EvalCreateIndex"] = result.EvalCreateIndex,
            ["NodeModifyIndex"] = result.NodeModifyIndex,
            ["Features"] = 0,
            ["LeaderRPCAddr"] = "",
            ["NumNodes"] = 0,
            ["Servers"] = null,
            ["SchedulingEligibility"] = "",
            ["SignedIdentity"] = null,
            ["Index"] = result.Index,
            ["LastContact"] = 0,
            ["KnownLeader"] = false,
            ["NextToken"] = "",
        }, result.Index, readMeta: false);
    }

    private Task EvaluateNodeAsync(HttpContext context, string nodeId)
    {
        var index = _state.Write(() =>
        {
            _state.RequireNodeForWrite(nodeId);
            return _state.NextIndex(ClusterState.TableEvals);
        });
        return WriteJsonAsync(context, new JsonObject
        {
            ["EvalIDs"] = null, ["EvalCreateIndex"] = index, ["NodeModifyIndex"] = 0, ["Index"] = index,
        }, index, readMeta: false);
    }
}
