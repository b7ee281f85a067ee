using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Turns a policy's names into IDs (image, flavor, networks, security groups, external network) and checks
/// that given IDs exist, so a wrong one fails before any server is created. Name lookups are cached for
/// <see cref="CacheLifetime"/> (a re-uploaded image under the same name is picked up after that).</summary>
internal sealed class ResourceResolver
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    private readonly OpenStackClient _cloud;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (string Value, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public ResourceResolver(OpenStackClient cloud, TimeProvider time, ILogger logger)
    {
        _cloud = cloud;
        _time = time;
        _logger = logger;
    }

    public async Task<CreationData> ResolveAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        target.ValidateForScaleOut();
        var imageId = target.ImageId is { } id
            ? await CheckedAsync("image", "image_id", id, () => _cloud.Glance.ImageExistsAsync(id, cancellationToken)).ConfigureAwait(false)
            : await LookupAsync("image", target.ImageName!, () => _cloud.Glance.FindImageIdByNameAsync(target.ImageName!, cancellationToken),
                $"failed to find image with name {target.ImageName}", "image_name").ConfigureAwait(false);
        var flavors = new List<Flavor>();
        if (target.FlavorId is { } fid)
            flavors.Add(new Flavor(fid, await CheckedAsync("flavor", "flavor_id", fid, () => _cloud.Nova.FlavorExistsAsync(fid, cancellationToken)).ConfigureAwait(false)));
        var key = target.FlavorName is null ? "flavor_names" : "flavor_name";
        foreach (var flavorName in target.FlavorName is { } single ? [single] : target.FlavorNames)
        {
            flavors.Add(new Flavor(flavorName, await LookupAsync("flavor", flavorName, () => _cloud.Nova.FindFlavorIdByNameAsync(flavorName, cancellationToken),
                $"failed to find flavor with name {flavorName}", key).ConfigureAwait(false)));
        }

        var networks = new List<string>();
        if (target.NetworkIds.Count > 0)
        {
            foreach (var networkId in target.NetworkIds)
                networks.Add(await CheckedAsync("network", "network_ids", networkId, async () => await _cloud.Neutron.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false) is not null).ConfigureAwait(false));
        }
        else
        {
            foreach (var name in target.NetworkNames)
                networks.Add(await LookupAsync("network", name, async () => Single(await _cloud.Neutron.FindNetworksByNameAsync(name, cancellationToken).ConfigureAwait(false), name)?.Id,
                    $"failed to find network with name {name}", "network_names").ConfigureAwait(false));
        }

        foreach (var group in target.SecurityGroups)
        {
            await LookupAsync("security group", group, async () =>
            {
                var ids = await _cloud.Neutron.FindSecurityGroupIdsByNameAsync(group, _cloud.Session.ProjectId, cancellationToken).ConfigureAwait(false);
                return ids.Count > 0 ? ids[0] : null;
            },
                $"failed to find security group with name {group}", "security_groups").ConfigureAwait(false);
        }

        if (target.ServerGroupId is { } serverGroupId && await _cloud.Nova.GetServerGroupAsync(serverGroupId, cancellationToken).ConfigureAwait(false) is null)
            throw new PluginConfigException("server_group_id", $"server group {serverGroupId} not found");

        string? externalNetworkId = null;
        if (target.FloatingIpPoolName is { } pool)
        {
            externalNetworkId = await LookupAsync("external network", pool, async () =>
            {
                var match = Single(await _cloud.Neutron.FindNetworksByNameAsync(pool, cancellationToken).ConfigureAwait(false), pool);
                if (match is null) return null;
                return match.External ? match.Id : throw new PluginConfigException("floatingip_pool_name", $"network {pool} is not external");
            }, $"can't find external network {pool}", "floatingip_pool_name").ConfigureAwait(false);
        }

        UserDataTemplate? template = null;
        if (target.UserDataTemplate is { } path)
        {
            try
            {
                template = UserDataTemplate.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PluginConfigException("user_data_template", $"error with provided template file: {ex.Message}");
            }
            catch (FormatException ex)
            {
                throw new PluginConfigException("user_data_template", $"error parsing template file {path}: {ex.Message}");
            }
        }

        return new CreationData(imageId, flavors, networks, externalNetworkId, template);
    }

    private static NeutronNetwork? Single(IReadOnlyList<NeutronNetwork> networks, string name) => networks.Count switch
    {
        0 => null,
        1 => networks[0],
        _ => throw new OpenStackApiException($"network: {networks.Count} networks are named \"{name}\" ({string.Join(", ", networks.Select(n => n.Id))}); use network_ids"),
    };

    private async Task<string> CheckedAsync(string kind, string key, string id, Func<Task<bool>> exists)
    {
        var cacheKey = $"{kind}#id:{id}";
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Expires > _time.GetUtcNow()) return hit.Value;
        if (!await exists().ConfigureAwait(false)) throw new PluginConfigException(key, $"{kind} {id} not found");
        _cache[cacheKey] = (id, _time.GetUtcNow() + CacheLifetime);
        return id;
    }

    private async Task<string> LookupAsync(string kind, string name, Func<Task<string?>> find, string notFound, string key)
    {
        var cacheKey = $"{kind}#name:{name}";
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Expires > _time.GetUtcNow()) return hit.Value;
        _logger.Hclog(LogLevel.Debug, "searching for resource", ("kind", kind), ("name", name));
        var id = await find().ConfigureAwait(false) ?? throw new PluginConfigException(key, notFound);
        _logger.Hclog(LogLevel.Debug, "found resource ID", ("kind", kind), ("name", name), ("id", id));
        _cache[cacheKey] = (id, _time.GetUtcNow() + CacheLifetime);
        return id;
    }
}
