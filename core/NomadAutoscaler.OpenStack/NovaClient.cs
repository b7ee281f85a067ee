using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.OpenStack;

/// <summary>Nova (compute v2.1): version discovery, servers, tags, metadata, server groups, availability zones, flavors.</summary>
public sealed class NovaClient
{
    /// <summary>The lowest microversion this client works with: server tags are set at create from 2.52 on.</summary>
    public const string MinimumMicroversion = "2.52";

    /// <summary>The highest microversion this client's parsing was checked against. A cloud offering more is used at
    /// this one (every field read here is unchanged up to it; later ones are additive but not verified).</summary>
    public const string MaximumMicroversion = "2.96";

    private const string Service = "compute";
    private readonly OpenStackSession _session;
    private readonly ILogger _logger;
    private Dictionary<string, string> _headers;

    /// <summary>Creates the client at <see cref="MinimumMicroversion"/>; call <see cref="DiscoverMicroversionAsync"/> to negotiate.</summary>
    public NovaClient(OpenStackSession session, ILogger? logger = null)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _logger = logger ?? NullLogger.Instance;
        _headers = Headers(MinimumMicroversion);
        Microversion = MinimumMicroversion;
    }

    /// <summary>The microversion sent with every call.</summary>
    public string Microversion { get; private set; }

    /// <summary>Reads the compute version document and uses the CURRENT version's maximum microversion (capped at
    /// <see cref="MaximumMicroversion"/>).</summary>
    /// <returns>The cloud's maximum microversion (the one logged; <see cref="Microversion"/> is what is used).</returns>
    /// <exception cref="OpenStackApiException">The cloud cannot be asked, or offers less than <see cref="MinimumMicroversion"/>.</exception>
    public async Task<string> DiscoverMicroversionAsync(CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Get, "", cancellationToken: cancellationToken).ConfigureAwait(false);
        var versions = body?["versions"] is JsonArray ? Json.Items(body, "versions").ToList() : body?["version"] is { } single ? [single] : [];
        var current = versions.FirstOrDefault(v => Json.Str(v, "status") == "CURRENT") ?? versions.FirstOrDefault();
        var max = Json.Str(current, "version");
        if (string.IsNullOrEmpty(max))
            throw new OpenStackApiException($"compute: the version document names no CURRENT microversion (microversions below {MinimumMicroversion} are not supported)");
        if (Compare(max, MinimumMicroversion) < 0)
            throw new OpenStackApiException($"compute: the cloud offers microversion {max}, but at least {MinimumMicroversion} is required (server tags)");
        var used = Compare(max, MaximumMicroversion) > 0 ? MaximumMicroversion : max;
        if (used == max)
            _logger.Hclog(LogLevel.Information, "discovered current microversion for compute, making it the used one", ("microversion", max));
        else
            _logger.Hclog(LogLevel.Information, "discovered current microversion for compute, using the highest this client was verified with", ("microversion", max), ("used", used));
        UseMicroversion(used);
        return max;
    }

    /// <summary>Pins a microversion (e.g. for tests).</summary>
    public void UseMicroversion(string microversion)
    {
        Microversion = microversion;
        _headers = Headers(microversion);
    }

    /// <summary>Every server (all pages), optionally only those carrying <paramref name="tag"/>.</summary>
    public async Task<IReadOnlyList<NovaServer>> ListServersAsync(string? tag = null, CancellationToken cancellationToken = default)
    {
        var servers = new List<NovaServer>();
        var query = tag is null ? "?limit=1000" : "?limit=1000&tags=" + Uri.EscapeDataString(tag);
        for (var page = 0; query is not null && page < 10_000; page++)
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "servers/detail" + query, headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            servers.AddRange(Json.Items(body, "servers").Select(ParseServer));
            query = Json.NextQuery(body, "servers_links");
        }

        return servers;
    }

    /// <summary>One server, or null when it does not exist.</summary>
    public async Task<NovaServer?> GetServerAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "servers/" + Uri.EscapeDataString(id), headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            return ParseServer(body?["server"]!);
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Creates a server; returns its ID. Not retried: on a transient error the server may exist (find it by name).</summary>
    public async Task<string> CreateServerAsync(NovaServerCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Name)) throw new ArgumentException("a server needs a name", nameof(request));
        var server = new JsonObject
        {
            ["name"] = request.Name,
            ["imageRef"] = request.ImageId,
            ["flavorRef"] = request.FlavorId,
            ["networks"] = new JsonArray([.. request.NetworkIds.Select(id => (JsonNode?)new JsonObject { ["uuid"] = id })]),
        };
        if (request.SecurityGroups.Count > 0)
            server["security_groups"] = new JsonArray([.. request.SecurityGroups.Select(n => (JsonNode?)new JsonObject { ["name"] = n })]);
        if (request.Metadata.Count > 0) server["metadata"] = Json.Object(request.Metadata);
        if (request.Tags.Count > 0) server["tags"] = Json.Array(request.Tags);
        if (!string.IsNullOrEmpty(request.AvailabilityZone)) server["availability_zone"] = request.AvailabilityZone;
        if (!string.IsNullOrEmpty(request.UserDataBase64)) server["user_data"] = request.UserDataBase64;
        var body = new JsonObject { ["server"] = server };
        if (!string.IsNullOrEmpty(request.ServerGroupId)) body["os:scheduler_hints"] = new JsonObject { ["group"] = request.ServerGroupId };
        var answer = await _session.SendAsync(Service, HttpMethod.Post, "servers", body, _headers, cancellationToken).ConfigureAwait(false);
        return Json.Str(answer?["server"], "id") ?? throw new OpenStackApiException("compute: POST /servers answered without a server id");
    }

    /// <summary>Deletes a server; false when it was already gone.</summary>
    public async Task<bool> DeleteServerAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await _session.SendAsync(Service, HttpMethod.Delete, "servers/" + Uri.EscapeDataString(id), headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Force-deletes a server (<c>forceDelete</c> action; policy may restrict it to admins); false when already gone.</summary>
    public Task<bool> ForceDeleteServerAsync(string id, CancellationToken cancellationToken = default)
        => ActionAsync(id, "forceDelete", cancellationToken);

    /// <summary>Stops a server (<c>os-stop</c>); false when it is gone.</summary>
    public Task<bool> StopServerAsync(string id, CancellationToken cancellationToken = default)
        => ActionAsync(id, "os-stop", cancellationToken);

    private async Task<bool> ActionAsync(string id, string action, CancellationToken cancellationToken)
    {
        try
        {
            await _session.SendAsync(Service, HttpMethod.Post, $"servers/{Uri.EscapeDataString(id)}/action", new JsonObject { [action] = null }, _headers, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>The server's tags.</summary>
    public async Task<IReadOnlyList<string>> ListServerTagsAsync(string id, CancellationToken cancellationToken = default)
        => Json.Strings(await _session.SendAsync(Service, HttpMethod.Get, $"servers/{Uri.EscapeDataString(id)}/tags", headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false), "tags");

    /// <summary>Adds one tag (idempotent).</summary>
    public Task AddServerTagAsync(string id, string tag, CancellationToken cancellationToken = default)
        => _session.SendAsync(Service, HttpMethod.Put, $"servers/{Uri.EscapeDataString(id)}/tags/{Uri.EscapeDataString(tag)}", headers: _headers, cancellationToken: cancellationToken);

    /// <summary>The server's metadata.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetServerMetadataAsync(string id, CancellationToken cancellationToken = default)
        => Json.StringMap(await _session.SendAsync(Service, HttpMethod.Get, $"servers/{Uri.EscapeDataString(id)}/metadata", headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false), "metadata");

    /// <summary>Sets one metadata item.</summary>
    public Task SetServerMetadataItemAsync(string id, string key, string value, CancellationToken cancellationToken = default)
        => _session.SendAsync(Service, HttpMethod.Put, $"servers/{Uri.EscapeDataString(id)}/metadata/{Uri.EscapeDataString(key)}",
            new JsonObject { ["meta"] = new JsonObject { [key] = value } }, _headers, cancellationToken);

    /// <summary>Availability zone names with their state (<c>GET /os-availability-zone</c>).</summary>
    public async Task<IReadOnlyList<(string Name, bool Available)>> ListAvailabilityZonesAsync(CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Get, "os-availability-zone", headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Json.Items(body, "availabilityZoneInfo")
            .Select(z => (Json.Str(z, "zoneName") ?? "", Json.Bool(z?["zoneState"], "available")))
            .Where(z => z.Item1.Length > 0)
            .ToList();
    }

    /// <summary>The ID of the flavor named <paramref name="name"/>, or null.</summary>
    public async Task<string?> FindFlavorIdByNameAsync(string name, CancellationToken cancellationToken = default)
        => (await FindFlavorByNameAsync(name, cancellationToken).ConfigureAwait(false))?.Id;

    /// <summary>The flavor named <paramref name="name"/> with its size, or null.</summary>
    public async Task<NovaFlavor?> FindFlavorByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        string? query = "?limit=1000";
        for (var page = 0; query is not null && page < 1000; page++)
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "flavors/detail" + query, headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            var match = Json.Items(body, "flavors").FirstOrDefault(f => Json.Str(f, "name") == name);
            if (match is not null) return ParseFlavor(match);
            query = Json.NextQuery(body, "flavors_links");
        }

        return null;
    }

    /// <summary>The flavor with its size, or null when it does not exist.</summary>
    public async Task<NovaFlavor?> GetFlavorAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "flavors/" + Uri.EscapeDataString(id), headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            return body?["flavor"] is { } flavor ? ParseFlavor(flavor) : null;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    private static NovaFlavor ParseFlavor(JsonNode node)
        => new(Json.Str(node, "id") ?? "", Json.Str(node, "name") ?? "",
            node["vcpus"] is JsonValue vcpus && vcpus.TryGetValue<int>(out var v) ? v : 0,
            node["ram"] is JsonValue ram && ram.TryGetValue<long>(out var r) ? r : 0);

    /// <summary>Server groups of the project.</summary>
    public async Task<IReadOnlyList<NovaServerGroup>> ListServerGroupsAsync(CancellationToken cancellationToken = default)
        => Json.Items(await _session.SendAsync(Service, HttpMethod.Get, "os-server-groups", headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false), "server_groups")
            .Select(ParseServerGroup).ToList();

    /// <summary>One server group, or null.</summary>
    public async Task<NovaServerGroup?> GetServerGroupAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "os-server-groups/" + Uri.EscapeDataString(id), headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            return ParseServerGroup(body?["server_group"]!);
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Creates a server group.</summary>
    public async Task<NovaServerGroup> CreateServerGroupAsync(string name, string policy, CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Post, "os-server-groups",
            new JsonObject { ["server_group"] = new JsonObject { ["name"] = name, ["policy"] = policy } }, _headers, cancellationToken).ConfigureAwait(false);
        return ParseServerGroup(body?["server_group"]!);
    }

    /// <summary>Deletes a server group; false when already gone.</summary>
    public async Task<bool> DeleteServerGroupAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await _session.SendAsync(Service, HttpMethod.Delete, "os-server-groups/" + Uri.EscapeDataString(id), headers: _headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Sets the instance quota of a project (admin only; tests use it).</summary>
    public Task SetInstanceQuotaAsync(string projectId, int instances, CancellationToken cancellationToken = default)
        => _session.SendAsync(Service, HttpMethod.Put, "os-quota-sets/" + Uri.EscapeDataString(projectId),
            new JsonObject { ["quota_set"] = new JsonObject { ["instances"] = instances } }, _headers, cancellationToken);

    internal static NovaServer ParseServer(JsonNode node)
    {
        var addresses = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (node["addresses"] is JsonObject networks)
        {
            foreach (var (network, list) in networks)
                addresses[network] = list is JsonArray array ? array.Select(a => Json.Str(a, "addr")).OfType<string>().ToList() : [];
        }

        return new NovaServer(
            Json.Str(node, "id") ?? "",
            Json.Str(node, "name") ?? "",
            Json.Str(node, "status") ?? "UNKNOWN",
            Json.Str(node, "OS-EXT-AZ:availability_zone") ?? "",
            Json.Strings(node, "tags"),
            Json.StringMap(node, "metadata"))
        {
            TaskState = Json.Str(node, "OS-EXT-STS:task_state"),
            Fault = Json.Str(node["fault"], "message"),
            Created = Json.Time(node, "created"),
            LaunchedAt = Json.Time(node, "OS-SRV-USG:launched_at"),
            FlavorName = Json.Str(node["flavor"], "original_name"),
            Vcpus = node["flavor"]?["vcpus"] is JsonValue vcpus && vcpus.TryGetValue<int>(out var v) ? v : 0,
            RamMB = node["flavor"]?["ram"] is JsonValue ram && ram.TryGetValue<long>(out var r) ? r : 0,
            Addresses = addresses,
        };
    }

    private static NovaServerGroup ParseServerGroup(JsonNode node)
        => new(Json.Str(node, "id") ?? "", Json.Str(node, "name") ?? "",
            Json.Str(node, "policy") ?? FirstOrEmpty(Json.Strings(node, "policies")), Json.Strings(node, "members"));

    private static string FirstOrEmpty(IReadOnlyList<string> values) => values.Count > 0 ? values[0] : "";

    /// <summary>Compares <c>major.minor</c> microversions numerically.</summary>
    internal static int Compare(string left, string right)
    {
        static (int, int) Parse(string v)
        {
            var parts = v.Split('.');
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
        }

        return Parse(left).CompareTo(Parse(right));
    }

    private static Dictionary<string, string> Headers(string microversion) => new(StringComparer.Ordinal)
    {
        ["OpenStack-API-Version"] = "compute " + microversion,
        ["X-OpenStack-Nova-API-Version"] = microversion,
    };
}
