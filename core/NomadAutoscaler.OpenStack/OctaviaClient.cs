using System.Net;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.OpenStack;

/// <summary>Octavia (load-balancer v2): pools and their members. Every write puts the pool's load balancer into
/// <c>PENDING_UPDATE</c>; until it is <c>ACTIVE</c> again Octavia refuses further writes with 409 (see
/// <see cref="IsImmutable"/>).</summary>
public sealed class OctaviaClient
{
    /// <summary>The catalog service type.</summary>
    public const string Service = "load-balancer";
    private readonly OpenStackSession _session;

    /// <summary>Creates the client.</summary>
    public OctaviaClient(OpenStackSession session) => _session = session ?? throw new ArgumentNullException(nameof(session));

    /// <summary>True for Octavia's 409 "load balancer is immutable": a change of its tree is still being applied.</summary>
    public static bool IsImmutable(OpenStackApiException exception) => exception?.StatusCode == HttpStatusCode.Conflict;

    /// <summary>One pool, or null when it does not exist (or is not visible to the project).</summary>
    public async Task<OctaviaPool?> GetPoolAsync(string poolId, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "v2/lbaas/pools/" + Uri.EscapeDataString(poolId), cancellationToken: cancellationToken).ConfigureAwait(false);
            var pool = body?["pool"];
            var lb = Json.Items(pool, "loadbalancers").Select(l => Json.Str(l, "id")).OfType<string>().FirstOrDefault();
            return new OctaviaPool(Json.Str(pool, "id") ?? poolId, Json.Str(pool, "name") ?? "", lb ?? "", Json.Str(pool, "provisioning_status") ?? "");
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The provisioning status of a load balancer, or null when it does not exist.</summary>
    public async Task<string?> GetLoadBalancerStatusAsync(string loadBalancerId, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, "v2/lbaas/loadbalancers/" + Uri.EscapeDataString(loadBalancerId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return Json.Str(body?["loadbalancer"], "provisioning_status") ?? "";
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The members of a pool, optionally only those named <paramref name="name"/>.</summary>
    public async Task<IReadOnlyList<OctaviaMember>> ListMembersAsync(string poolId, string? name = null, CancellationToken cancellationToken = default)
    {
        var path = "v2/lbaas/pools/" + Uri.EscapeDataString(poolId) + "/members" + (name is null ? "" : "?name=" + Uri.EscapeDataString(name));
        var members = new List<OctaviaMember>();
        while (true)
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get, path, cancellationToken: cancellationToken).ConfigureAwait(false);
            members.AddRange(Json.Items(body, "members").Select(Parse).Where(m => name is null || m.Name == name));
            var next = Json.NextQuery(body, "members_links");
            if (next is null) return members;
            path = "v2/lbaas/pools/" + Uri.EscapeDataString(poolId) + "/members" + next;
        }
    }

    /// <summary>One member, or null when it does not exist (any more).</summary>
    public async Task<OctaviaMember?> GetMemberAsync(string poolId, string memberId, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = await _session.SendAsync(Service, HttpMethod.Get,
                "v2/lbaas/pools/" + Uri.EscapeDataString(poolId) + "/members/" + Uri.EscapeDataString(memberId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return Parse(body?["member"]!);
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Adds a member (sent once: a lost answer must be reconciled by name by the caller).</summary>
    public async Task<OctaviaMember> CreateMemberAsync(string poolId, string name, string address, int protocolPort, string? subnetId,
        CancellationToken cancellationToken = default)
    {
        var member = new JsonObject { ["name"] = name, ["address"] = address, ["protocol_port"] = protocolPort };
        if (subnetId is not null) member["subnet_id"] = subnetId;
        var body = await _session.SendAsync(Service, HttpMethod.Post, "v2/lbaas/pools/" + Uri.EscapeDataString(poolId) + "/members",
            new JsonObject { ["member"] = member }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(body?["member"]!);
    }

    /// <summary>Removes a member; false when it was already gone.</summary>
    public async Task<bool> DeleteMemberAsync(string poolId, string memberId, CancellationToken cancellationToken = default)
    {
        try
        {
            await _session.SendAsync(Service, HttpMethod.Delete,
                "v2/lbaas/pools/" + Uri.EscapeDataString(poolId) + "/members/" + Uri.EscapeDataString(memberId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    private static OctaviaMember Parse(JsonNode m) => new(
        Json.Str(m, "id") ?? "", Json.Str(m, "name") ?? "", Json.Str(m, "address") ?? "",
        m["protocol_port"]?.GetValue<int>() ?? 0, Json.Str(m, "subnet_id"), Json.Str(m, "provisioning_status") ?? "");
}
