using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NomadAutoscaler.Simulator.Cloud;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>The simulated cloud's endpoints. They are not Nomad's, so they live under <c>/_sim/cloud/</c>, away from
/// the <c>/v1/</c> surface; names are snake_case like a cloud API's. With ACLs on, they take the same token.</summary>
internal sealed partial class NomadHttpApi
{
    /// <summary>Where the simulated cloud's endpoints start.</summary>
    public const string CloudPrefix = "/_sim/cloud/";

    private Task CloudAsync(HttpContext context, string rest)
    {
        // Not a Nomad endpoint, so no ACL policy grants it: only the management token (or ACLs off) may call it.
        Authorize(context, CloudPrefix + rest, ApiQuery.Parse(context.Request.Query, _options.Region));
        var cloud = _cloud ?? throw new NomadError(404, "the simulated cloud is not enabled");
        if (rest == "servers")
        {
            return context.Request.Method switch
            {
                "GET" => WriteJsonAsync(context, ServersJson(context.Request.Query.TryGetValue("pool", out var pool) && pool.ToString().Length > 0
                    ? cloud.Servers(pool.ToString())
                    : cloud.Servers()), null, readMeta: false),
                "POST" or "PUT" => CreateServersAsync(context, cloud),
                _ => InvalidMethod(context),
            };
        }

        if (rest.StartsWith("server/", StringComparison.Ordinal) && rest.Length > "server/".Length)
        {
            var id = rest["server/".Length..];
            var server = cloud.Server(id) ?? throw new NomadError(404, $"server {id} not found");
            return context.Request.Method switch
            {
                "GET" => WriteJsonAsync(context, ServerJson(server), null, readMeta: false),
                "DELETE" => WriteJsonAsync(context, ServerJson(cloud.Delete([id]) is [var deleted] ? deleted : server), null, readMeta: false),
                _ => InvalidMethod(context),
            };
        }

        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    private static async Task CreateServersAsync(HttpContext context, SimulatedCloud cloud)
    {
        var body = await ReadBodyAsync(context, required: true) as JsonObject ?? throw new NomadError(400, "the body must be a JSON object");
        string Text(string key, string fallback) => body[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw new NomadError(400, $"\"{key}\" must be a string"),
        };

        int Number(string key, int fallback, int min) => body[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<int>(out var n) && n >= min => n,
            _ => throw new NomadError(400, $"\"{key}\" must be a whole number of at least {min}"),
        };

        var name = Text("pool", "");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new NomadError(400, "\"pool\" is required");
        }

        var pool = new SimulatedPool
        {
            Name = name,
            NodeClass = Text("node_class", ""),
            Datacenter = Text("datacenter", "dc1"),
            NodePool = Text("node_pool", "default"),
            Cpu = Number("cpu", 4000, 1),
            MemoryMB = Number("memory", 8192, 1),
        };
        var created = cloud.Create(pool, Number("count", 1, 0));
        await WriteJsonAsync(context, ServersJson(created), null, readMeta: false);
    }

    private static JsonObject ServersJson(IEnumerable<SimulatedServer> servers) =>
        new() { ["servers"] = new JsonArray([.. servers.Select(s => (JsonNode)ServerJson(s))]) };

    private static JsonObject ServerJson(SimulatedServer server) => new()
    {
        ["id"] = server.Id,
        ["name"] = server.Name,
        ["pool"] = server.Pool,
        ["status"] = server.Status,
        ["node_class"] = server.PoolSpec.NodeClass,
        ["datacenter"] = server.PoolSpec.Datacenter,
        ["node_pool"] = server.PoolSpec.NodePool,
        ["cpu"] = server.PoolSpec.Cpu,
        ["memory"] = server.PoolSpec.MemoryMB,
        ["created_at"] = Timestamp(server.CreatedAt),
        ["active_at"] = server.ActiveAt is { } active ? Timestamp(active) : null,
        ["deleted_at"] = server.DeletedAt is { } deleted ? Timestamp(deleted) : null,
        ["node_id"] = server.NodeId,
    };

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
