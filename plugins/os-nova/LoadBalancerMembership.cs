using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Membership of the pool's servers in the Octavia pool <c>lb_pool_id</c>. A member is named after its server's
/// ID (as the community plugin names them), so membership survives a restart: nothing is kept in memory.</summary>
/// <remarks>Octavia accepts one change of a load balancer's tree at a time (409 while it is <c>PENDING_*</c>), so every
/// write of this process goes through one gate and waits for the load balancer to be <c>ACTIVE</c> first.</remarks>
internal sealed class LoadBalancerMembership : IDisposable
{
    private readonly OpenStackClient _cloud;
    private readonly string _poolId;
    private readonly string _loadBalancerId;
    private readonly int _port;
    private readonly string? _subnetId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writes = new(1, 1);

    private LoadBalancerMembership(OpenStackClient cloud, OctaviaPool pool, int port, string? subnetId, TimeSpan pollInterval, TimeProvider time, ILogger logger)
    {
        PollInterval = pollInterval;
        _cloud = cloud;
        _poolId = pool.Id;
        _loadBalancerId = pool.LoadBalancerId;
        _port = port;
        _subnetId = subnetId;
        _time = time;
        _logger = logger;
    }

    /// <summary>How often Octavia is polled while a change is applied.</summary>
    public TimeSpan PollInterval { get; }

    public string PoolId => _poolId;

    internal static IEnumerable<ValidationResult> Validate(OsNovaOptions options)
    {
        if (string.IsNullOrEmpty(options.LbPoolId))
        {
            if (options.LbMemberPort is not null || !string.IsNullOrEmpty(options.LbSubnetId))
                yield return new ValidationResult("lb_member_port and lb_subnet_id need lb_pool_id", [nameof(options.LbPoolId)]);
            yield break;
        }

        if (options.LbMemberPort is null)
            yield return new ValidationResult("if 'lb_pool_id' is specified, required config param 'lb_member_port'", [nameof(options.LbMemberPort)]);
        else if (options.LbMemberPort is < 1 or > 65535)
            yield return new ValidationResult($"invalid value for 'lb_member_port': {options.LbMemberPort} is not a port (1-65535)", [nameof(options.LbMemberPort)]);
    }

    /// <summary>Checks at set-up that the catalog has Octavia and the pool exists, so a typo fails the set-up rather than the first scale-out.</summary>
    public static async Task<LoadBalancerMembership?> CreateAsync(OpenStackClient cloud, OsNovaOptions options, TimeSpan pollInterval, TimeProvider time,
        ILogger logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.LbPoolId)) return null;
        try
        {
            await cloud.Session.GetEndpointAsync(OctaviaClient.Service, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenStackConfigException ex)
        {
            throw new PluginConfigException("lb_pool_id", $"failed to create OS load-balancer client: {ex.Message}");
        }

        OctaviaPool? pool;
        try
        {
            pool = await cloud.Octavia.GetPoolAsync(options.LbPoolId, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenStackApiException ex)
        {
            throw new InvalidOperationException($"failed to read Octavia pool lb_pool_id={options.LbPoolId}: {ex.Message}", ex);
        }

        if (pool is null) throw new PluginConfigException("lb_pool_id", $"Octavia pool {options.LbPoolId} not found (or not visible to the project)");
        if (pool.LoadBalancerId.Length == 0) throw new PluginConfigException("lb_pool_id", $"Octavia pool {options.LbPoolId} belongs to no load balancer");
        logger.Hclog(LogLevel.Information, "using load balancer pool", ("lb_pool_id", pool.Id), ("load_balancer_id", pool.LoadBalancerId),
            ("lb_member_port", options.LbMemberPort), ("lb_subnet_id", options.LbSubnetId ?? "(first fixed IP)"));
        return new LoadBalancerMembership(cloud, pool, options.LbMemberPort!.Value, options.LbSubnetId, pollInterval, time, logger);
    }

    /// <summary>Makes the server a member and returns once Octavia reports the member ACTIVE. A member left by an
    /// earlier attempt (same name) is reused, so a lost answer never adds the server twice.</summary>
    public async Task AddAsync(string serverId, CancellationToken cancellationToken)
    {
        try
        {
            var (address, subnetId) = await AddressAsync(serverId, cancellationToken).ConfigureAwait(false);
            OctaviaMember member;
            await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                member = await CreateReconciledAsync(serverId, address, subnetId, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writes.Release();
            }

            while (member.ProvisioningStatus != "ACTIVE")
            {
                if (member.ProvisioningStatus == "ERROR")
                    throw new ServerActionFailure($"load balancer member {member.Id} of server {serverId} in lb_pool_id {_poolId} went to ERROR");
                await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
                member = await _cloud.Octavia.GetMemberAsync(_poolId, member.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new ServerActionFailure($"load balancer member {member.Id} of server {serverId} disappeared from lb_pool_id {_poolId}");
            }

            _logger.Hclog(LogLevel.Debug, "server attached to load balancer", ("server", serverId), ("member", member.Id), ("address", address),
                ("lb_pool_id", _poolId));
        }
        catch (OpenStackApiException ex)
        {
            throw new ServerActionFailure($"failed to add server {serverId} to lb_pool_id {_poolId}: {ex.Message}", ex);
        }
    }

    /// <summary>Removes the server's members and returns once Octavia no longer lists them.</summary>
    public async Task RemoveAsync(string serverId, CancellationToken cancellationToken)
    {
        try
        {
            var members = await _cloud.Octavia.ListMembersAsync(_poolId, serverId, cancellationToken).ConfigureAwait(false);
            if (members.Count == 0)
            {
                _logger.Hclog(LogLevel.Warning, "no load balancer member found for server, skipping deletion", ("server", serverId), ("lb_pool_id", _poolId));
                return;
            }

            foreach (var member in members)
            {
                _logger.Hclog(LogLevel.Debug, "found load balancer member to delete", ("server", serverId), ("member", member.Id), ("address", member.Address));
                await DeleteVerifiedAsync(member, cancellationToken).ConfigureAwait(false);
                _logger.Hclog(LogLevel.Debug, "deleted load balancer member", ("server", serverId), ("member", member.Id), ("lb_pool_id", _poolId));
            }
        }
        catch (OpenStackApiException ex)
        {
            throw new ServerActionFailure($"failed to remove server {serverId} from lb_pool_id {_poolId}: {ex.Message}", ex);
        }
    }

    /// <summary>Removes members named after a server that no longer exists: what a crash between deleting a server and
    /// its member (or between adding a member and failing the create) leaves. Members with other names are not
    /// os-nova's and are left alone. Best effort: a failure is logged and retried at the next evaluation.</summary>
    public async Task RemoveLeftoversAsync(IReadOnlySet<string> knownServerIds, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var member in await _cloud.Octavia.ListMembersAsync(_poolId, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!Guid.TryParse(member.Name, out _) || knownServerIds.Contains(member.Name) || member.ProvisioningStatus == "PENDING_DELETE") continue;
                // Another pool's server (lb_pool_id is shared by every policy) is not in the snapshot: ask Nova.
                var server = await _cloud.Nova.GetServerAsync(member.Name, cancellationToken).ConfigureAwait(false);
                if (server is not null && server.Status is not ("DELETED" or "SOFT_DELETED")) continue;
                _logger.Hclog(LogLevel.Warning, "removing load balancer member of a server that no longer exists", ("server", member.Name),
                    ("member", member.Id), ("address", member.Address), ("lb_pool_id", _poolId));
                await DeleteVerifiedAsync(member, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OpenStackApiException or ServerActionFailure)
        {
            _logger.Hclog(LogLevel.Warning, "failed to remove leftover load balancer members", ("lb_pool_id", _poolId), ("error", ex.Message));
        }
    }

    private async Task<OctaviaMember> CreateReconciledAsync(string serverId, string address, string? subnetId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await _cloud.Octavia.ListMembersAsync(_poolId, serverId, cancellationToken).ConfigureAwait(false);
            if (existing.Count > 0) return existing[0];
            await WaitLoadBalancerActiveAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var member = await _cloud.Octavia.CreateMemberAsync(_poolId, serverId, address, _port, subnetId, cancellationToken).ConfigureAwait(false);
                _logger.Hclog(LogLevel.Debug, "created load balancer member", ("server", serverId), ("member", member.Id), ("address", address));
                return member;
            }
            catch (OpenStackApiException ex) when (OctaviaClient.IsImmutable(ex))
            {
                // Another client changed the load balancer between our check and our write: wait again.
            }
            catch (OpenStackApiException ex) when (ex.IsTransient && attempt < 3)
            {
                // The create may have been applied: the listing at the top of the loop finds it.
                _logger.Hclog(LogLevel.Warning, "load balancer member create failed with an unknown outcome, checking whether it was applied",
                    ("server", serverId), ("attempt", attempt), ("error", ex.Message));
            }
        }
    }

    private async Task DeleteVerifiedAsync(OctaviaMember member, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                await WaitLoadBalancerActiveAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await _cloud.Octavia.DeleteMemberAsync(_poolId, member.Id, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (OpenStackApiException ex) when (OctaviaClient.IsImmutable(ex))
                {
                    // A change (possibly our own retried delete) is still being applied: wait for it, then look again.
                }
            }
        }
        finally
        {
            _writes.Release();
        }

        // Verified: the member is gone from Octavia, not merely PENDING_DELETE.
        while (await _cloud.Octavia.GetMemberAsync(_poolId, member.Id, cancellationToken).ConfigureAwait(false) is { } current)
        {
            if (current.ProvisioningStatus == "ERROR")
                throw new ServerActionFailure($"load balancer member {member.Id} ({member.Address}) in lb_pool_id {_poolId} went to ERROR while being deleted");
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitLoadBalancerActiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await _cloud.Octavia.GetLoadBalancerStatusAsync(_loadBalancerId, cancellationToken).ConfigureAwait(false)
                ?? throw new ServerActionFailure($"load balancer {_loadBalancerId} of lb_pool_id {_poolId} no longer exists");
            if (status == "ACTIVE") return;
            if (status == "ERROR") throw new ServerActionFailure($"load balancer {_loadBalancerId} of lb_pool_id {_poolId} is in ERROR; members cannot be changed");
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(string Address, string? SubnetId)> AddressAsync(string serverId, CancellationToken cancellationToken)
    {
        var fixedIps = (await _cloud.Neutron.ListPortsAsync(serverId, cancellationToken).ConfigureAwait(false)).SelectMany(p => p.FixedIps).ToList();
        if (_subnetId is not null)
        {
            var onSubnet = fixedIps.Where(f => f.SubnetId == _subnetId).ToList();
            if (onSubnet.Count == 0)
                throw new ServerActionFailure($"server {serverId} has no fixed IP on lb_subnet_id {_subnetId} (it has: {string.Join(", ", fixedIps.Select(f => $"{f.Address} on {f.SubnetId}"))})");
            return (onSubnet[0].Address, _subnetId);
        }

        if (fixedIps.Count == 0) throw new ServerActionFailure($"server {serverId} has no fixed IP to add to lb_pool_id {_poolId}");
        return (fixedIps[0].Address, fixedIps[0].SubnetId);
    }

    public void Dispose() => _writes.Dispose();
}
