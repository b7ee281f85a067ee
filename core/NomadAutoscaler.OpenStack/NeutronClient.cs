using System.Text.Json.Nodes;

namespace NomadAutoscaler.OpenStack;

/// <summary>Neutron (network v2.0): networks and security groups by name, ports, floating IPs.</summary>
public sealed class NeutronClient
{
    private const string Service = "network";
    private readonly OpenStackSession _session;

    /// <summary>Creates the client.</summary>
    public NeutronClient(OpenStackSession session) => _session = session ?? throw new ArgumentNullException(nameof(session));

    /// <summary>Networks named <paramref name="name"/> visible to the project.</summary>
    public async Task<IReadOnlyList<NeutronNetwork>> FindNetworksByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Get, "v2.0/networks?name=" + Uri.EscapeDataString(name), cancellationToken: cancellationToken).ConfigureAwait(false);
        return Json.Items(body, "networks").Where(n => Json.Str(n, "name") == name).Select(ParseNetwork).ToList();
    }

    /// <summary>One network, or null.</summary>
    public async Task<NeutronNetwork?> GetNetworkAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "v2.0/networks/" + Uri.EscapeDataString(id), cancellationToken: cancellationToken).ConfigureAwait(false);
            return ParseNetwork(body?["network"]!);
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>IDs of the project's security groups named <paramref name="name"/>.</summary>
    public async Task<IReadOnlyList<string>> FindSecurityGroupIdsByNameAsync(string name, string? projectId = null, CancellationToken cancellationToken = default)
    {
        var query = "v2.0/security-groups?name=" + Uri.EscapeDataString(name);
        if (!string.IsNullOrEmpty(projectId)) query += "&project_id=" + Uri.EscapeDataString(projectId);
        var body = await _session.SendAsync(Service, HttpMethod.Get, query, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Json.Items(body, "security_groups").Where(g => Json.Str(g, "name") == name).Select(g => Json.Str(g, "id")).OfType<string>().ToList();
    }

    /// <summary>Ports of a device (server).</summary>
    public async Task<IReadOnlyList<NeutronPort>> ListPortsAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Get, "v2.0/ports?device_id=" + Uri.EscapeDataString(deviceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return Json.Items(body, "ports").Select(p => new NeutronPort(
            Json.Str(p, "id") ?? "", Json.Str(p, "network_id") ?? "", Json.Str(p, "device_id") ?? "",
            Json.Items(p, "fixed_ips").Select(f => (Json.Str(f, "subnet_id") ?? "", Json.Str(f, "ip_address") ?? "")).ToList())).ToList();
    }

    /// <summary>Allocates a floating IP on <paramref name="externalNetworkId"/> and attaches it to <paramref name="portId"/>.</summary>
    public async Task<NeutronFloatingIp> CreateFloatingIpAsync(string externalNetworkId, string portId, string description, CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Post, "v2.0/floatingips", new JsonObject
        {
            ["floatingip"] = new JsonObject { ["floating_network_id"] = externalNetworkId, ["port_id"] = portId, ["description"] = description },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ParseFloatingIp(body?["floatingip"]!);
    }

    /// <summary>The project's floating IPs, optionally only those attached to <paramref name="portId"/>.</summary>
    public async Task<IReadOnlyList<NeutronFloatingIp>> ListFloatingIpsAsync(string? portId = null, CancellationToken cancellationToken = default)
    {
        var query = "v2.0/floatingips" + (portId is null ? "" : "?port_id=" + Uri.EscapeDataString(portId));
        var body = await _session.SendAsync(Service, HttpMethod.Get, query, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Json.Items(body, "floatingips").Select(ParseFloatingIp).ToList();
    }

    /// <summary>Releases a floating IP; false when already gone.</summary>
    public async Task<bool> DeleteFloatingIpAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await _session.SendAsync(Service, HttpMethod.Delete, "v2.0/floatingips/" + Uri.EscapeDataString(id), cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    private static NeutronNetwork ParseNetwork(JsonNode n) => new(Json.Str(n, "id") ?? "", Json.Str(n, "name") ?? "", Json.Bool(n, "router:external"));

    private static NeutronFloatingIp ParseFloatingIp(JsonNode f) => new(
        Json.Str(f, "id") ?? "", Json.Str(f, "floating_ip_address") ?? "", Json.Str(f, "floating_network_id") ?? "",
        Json.Str(f, "port_id"), Json.Str(f, "description") ?? "");
}
