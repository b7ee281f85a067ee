using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
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
    private readonly ConcurrentDictionary<string, (object Value, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public ResourceResolver(OpenStackClient cloud, TimeProvider time, ILogger logger)
    {
        _cloud = cloud;
        _time = time;
        _logger = logger;
    }

    /// <summary>Resolves every name and checks every ID of the policy. The lookups are independent, so they run
    /// concurrently (each is a round trip that a scale-out would otherwise wait for in turn), and every bad key is
    /// reported at once.</summary>
    public async Task<CreationData> ResolveAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        target.ValidateForScaleOut();
        var image = target.ImageId is { } id
            ? CheckedAsync("image", "image_id", id, () => _cloud.Glance.ImageExistsAsync(id, cancellationToken))
            : LookupAsync("image", target.ImageName!, () => _cloud.Glance.FindImageIdByNameAsync(target.ImageName!, cancellationToken),
                $"failed to find image with name {target.ImageName}", "image_name");
        var flavors = FlavorsAsync(target, cancellationToken);
        var networks = target.NetworkIds.Count > 0
            ? Task.WhenAll(target.NetworkIds.Select(networkId => CheckedAsync("network", "network_ids", networkId,
                async () => await _cloud.Neutron.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false) is not null)))
            : Task.WhenAll(target.NetworkNames.Select(name => LookupAsync("network", name,
                async () => Single(await _cloud.Neutron.FindNetworksByNameAsync(name, cancellationToken).ConfigureAwait(false), name)?.Id,
                $"failed to find network with name {name}", "network_names")));
        var securityGroups = Task.WhenAll(target.SecurityGroups.Select(group => LookupAsync("security group", group, async () =>
            {
                var ids = await _cloud.Neutron.FindSecurityGroupIdsByNameAsync(group, _cloud.Session.ProjectId, cancellationToken).ConfigureAwait(false);
                return ids.Count > 0 ? ids[0] : null;
            },
            $"failed to find security group with name {group}", "security_groups")));
        var serverGroup = CheckServerGroupAsync(target.ServerGroupId, cancellationToken);
        var externalNetwork = target.FloatingIpPoolName is { } pool
            ? LookupAsync("external network", pool, async () =>
            {
                var match = Single(await _cloud.Neutron.FindNetworksByNameAsync(pool, cancellationToken).ConfigureAwait(false), pool);
                if (match is null) return null;
                return match.External ? match.Id : throw new PluginConfigException("floatingip_pool_name", $"network {pool} is not external");
            }, $"can't find external network {pool}", "floatingip_pool_name")
            : Task.FromResult<string>(null!);
        var template = ReadTemplateAsync(target.UserDataTemplate, cancellationToken);

        Task[] all = [image, flavors, networks, securityGroups, serverGroup, externalNetwork, template];
        try
        {
            await Task.WhenAll(all).ConfigureAwait(false);
        }
        catch (Exception) when (all.All(t => t.IsCompleted))
        {
            // Every failure is read below, in the order of the keys.
        }

        cancellationToken.ThrowIfCancellationRequested();
        var failures = all.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).ToList();
        if (failures.Count > 0)
        {
            // A cloud error says more than the config errors it may have caused; one config error keeps its own message.
            var first = failures.FirstOrDefault(e => e is not PluginConfigException) ?? (failures.Count == 1 ? failures[0] : null);
            if (first is not null) ExceptionDispatchInfo.Throw(first);
            throw new PluginConfigException(failures.Cast<PluginConfigException>().SelectMany(e => e.Violations).ToList());
        }

        if (all.FirstOrDefault(t => t.IsCanceled) is { } cancelled) await cancelled.ConfigureAwait(false);
        return new CreationData(image.Result, flavors.Result, networks.Result, target.FloatingIpPoolName is null ? null : externalNetwork.Result, template.Result);
    }

    /// <summary>How the pool is counted: with several <c>flavor_names</c>, in units of their smallest vCPUs and
    /// smallest RAM; else in servers.</summary>
    public async Task<CapacityUnits> ResolveUnitsAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        if (target.FlavorNames.Count < 2) return CapacityUnits.Servers;
        var flavors = await Task.WhenAll(target.FlavorNames.Select(name => FlavorByNameAsync(name, "flavor_names", cancellationToken))).ConfigureAwait(false);
        return CapacityUnits.For(flavors);
    }

    private async Task<Flavor[]> FlavorsAsync(PoolTarget target, CancellationToken cancellationToken)
    {
        var lookups = new List<Task<Flavor>>();
        if (target.FlavorId is { } fid)
            lookups.Add(CachedAsync($"flavor#id:{fid}", async () => ToFlavor(fid, await _cloud.Nova.GetFlavorAsync(fid, cancellationToken).ConfigureAwait(false)
                ?? throw new PluginConfigException("flavor_id", $"flavor {fid} not found"))));
        var key = target.FlavorName is null ? "flavor_names" : "flavor_name";
        lookups.AddRange((target.FlavorName is { } single ? [single] : target.FlavorNames).Select(name => FlavorByNameAsync(name, key, cancellationToken)));
        return await Task.WhenAll(lookups).ConfigureAwait(false);
    }

    private async Task<Flavor> FlavorByNameAsync(string name, string key, CancellationToken cancellationToken)
        => ToFlavor(name, await LookupAsync("flavor", name, () => _cloud.Nova.FindFlavorByNameAsync(name, cancellationToken),
            $"failed to find flavor with name {name}", key, f => f.Id).ConfigureAwait(false));

    private async Task<bool> CheckServerGroupAsync(string? serverGroupId, CancellationToken cancellationToken)
    {
        if (serverGroupId is not null && await _cloud.Nova.GetServerGroupAsync(serverGroupId, cancellationToken).ConfigureAwait(false) is null)
            throw new PluginConfigException("server_group_id", $"server group {serverGroupId} not found");
        return true;
    }

    private static async Task<UserDataTemplate?> ReadTemplateAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null) return null;
        try
        {
            return UserDataTemplate.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
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

    private static NeutronNetwork? Single(IReadOnlyList<NeutronNetwork> networks, string name) => networks.Count switch
    {
        0 => null,
        1 => networks[0],
        _ => throw new OpenStackApiException($"network: {networks.Count} networks are named \"{name}\" ({string.Join(", ", networks.Select(n => n.Id))}); use network_ids"),
    };

    private static Flavor ToFlavor(string name, NovaFlavor flavor) => new(name, flavor.Id, flavor.Vcpus, flavor.RamMB);

    private Task<string> CheckedAsync(string kind, string key, string id, Func<Task<bool>> exists)
        => CachedAsync($"{kind}#id:{id}", async () => await exists().ConfigureAwait(false) ? id : throw new PluginConfigException(key, $"{kind} {id} not found"));

    private Task<string> LookupAsync(string kind, string name, Func<Task<string?>> find, string notFound, string key)
        => LookupAsync(kind, name, find, notFound, key, id => id);

    private Task<T> LookupAsync<T>(string kind, string name, Func<Task<T?>> find, string notFound, string key, Func<T, string> idOf) where T : class
        => CachedAsync($"{kind}#name:{name}", async () =>
        {
            _logger.Hclog(LogLevel.Debug, "searching for resource", ("kind", kind), ("name", name));
            var found = await find().ConfigureAwait(false) ?? throw new PluginConfigException(key, notFound);
            _logger.Hclog(LogLevel.Debug, "found resource ID", ("kind", kind), ("name", name), ("id", idOf(found)));
            return found;
        });

    private async Task<T> CachedAsync<T>(string cacheKey, Func<Task<T>> resolve) where T : notnull
    {
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Expires > _time.GetUtcNow()) return (T)hit.Value;
        var value = await resolve().ConfigureAwait(false);
        _cache[cacheKey] = (value, _time.GetUtcNow() + CacheLifetime);
        return value;
    }
}
