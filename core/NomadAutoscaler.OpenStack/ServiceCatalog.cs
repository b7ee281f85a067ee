using System.Text.Json.Nodes;

namespace NomadAutoscaler.OpenStack;

/// <summary>The service catalog of a Keystone token: endpoint URL per service type, region and interface.</summary>
public sealed class ServiceCatalog
{
    private readonly IReadOnlyList<CatalogEndpoint> _endpoints;

    internal ServiceCatalog(IReadOnlyList<CatalogEndpoint> endpoints) => _endpoints = endpoints;

    /// <summary>Every endpoint of the catalog.</summary>
    public IReadOnlyList<CatalogEndpoint> Endpoints => _endpoints;

    /// <summary>True when the catalog has a <paramref name="serviceType"/> endpoint in the region and interface.</summary>
    public bool Has(string serviceType, string region, string @interface) => Find(serviceType, region, @interface) is not null;

    /// <summary>The endpoint URL of a service.</summary>
    /// <exception cref="OpenStackConfigException">None matches: the message lists what the catalog has for that service.</exception>
    public Uri Resolve(string serviceType, string region, string @interface)
    {
        var match = Find(serviceType, region, @interface);
        if (match is not null) return match.Url;
        var offered = _endpoints.Where(e => e.ServiceType == serviceType).Select(e => $"{e.Region}/{e.Interface}").ToList();
        throw new OpenStackConfigException(offered.Count == 0
            ? $"the service catalog has no \"{serviceType}\" service"
            : $"the service catalog has no \"{serviceType}\" endpoint for region \"{region}\" and interface \"{@interface}\" (it has: {string.Join(", ", offered)})");
    }

    private CatalogEndpoint? Find(string serviceType, string region, string @interface)
        => _endpoints.FirstOrDefault(e => e.ServiceType == serviceType && e.Interface == @interface && e.Region == region);

    internal static ServiceCatalog Parse(JsonArray? catalog)
    {
        var endpoints = new List<CatalogEndpoint>();
        foreach (var service in catalog ?? [])
        {
            var type = service?["type"]?.GetValue<string>();
            if (type is null || service!["endpoints"] is not JsonArray list) continue;
            foreach (var endpoint in list)
            {
                var url = endpoint?["url"]?.GetValue<string>();
                var @interface = endpoint?["interface"]?.GetValue<string>();
                var region = endpoint?["region_id"]?.GetValue<string>() ?? endpoint?["region"]?.GetValue<string>();
                if (url is null || @interface is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) continue;
                endpoints.Add(new CatalogEndpoint(type, region ?? "", @interface, uri));
            }
        }

        return new ServiceCatalog(endpoints);
    }
}
