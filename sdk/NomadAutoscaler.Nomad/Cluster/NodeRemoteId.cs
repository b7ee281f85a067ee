namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>Maps a Nomad node to its cloud instance. A lookup throws <see cref="ClusterScaleException"/> when the
/// node lacks the needed attribute.</summary>
public static class NodeRemoteId
{
    /// <summary>os-nova's default name attribute.</summary>
    public const string DefaultNameAttribute = "unique.platform.aws.hostname";

    /// <summary>Reads one node attribute. A name starting with <c>meta.</c> is read from node meta without that prefix.</summary>
    public static Func<Node, string> FromAttribute(string attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute);
        if (attribute.StartsWith("meta.", StringComparison.Ordinal))
        {
            var key = attribute["meta.".Length..];
            return node => Lookup(node.Meta, key) ?? throw NotFound(key);
        }

        return node => Lookup(node.Attributes, attribute) ?? throw NotFound(attribute);
    }

    /// <summary>os-nova: the server ID from <paramref name="idAttribute"/> when set, otherwise the server name from
    /// <paramref name="nameAttribute"/> (default <see cref="DefaultNameAttribute"/>).</summary>
    public static Func<Node, string> ForOpenStack(string? idAttribute, string? nameAttribute)
        => FromAttribute(!string.IsNullOrEmpty(idAttribute) ? idAttribute : !string.IsNullOrEmpty(nameAttribute) ? nameAttribute : DefaultNameAttribute);

    /// <summary>aws-asg: <c>unique.platform.aws.instance-id</c>.</summary>
    public static Func<Node, string> AwsInstanceId { get; } = FromAttribute("unique.platform.aws.instance-id");

    /// <summary>azure-vmss: attribute <c>unique.platform.azure.name</c>, else node meta of the same key.</summary>
    public static Func<Node, string> AzureName { get; } = node =>
        Lookup(node.Attributes, "unique.platform.azure.name") ?? Lookup(node.Meta, "unique.platform.azure.name")
        ?? throw NotFound("unique.platform.azure.name");

    /// <summary>gce-mig: <c>zones/&lt;platform.gce.zone&gt;/instances/&lt;hostname up to the first dot&gt;</c>.</summary>
    public static Func<Node, string> GceInstance { get; } = node =>
    {
        var zone = Lookup(node.Attributes, "platform.gce.zone") ?? throw NotFound("platform.gce.zone");
        var host = Lookup(node.Attributes, "unique.platform.gce.hostname") ?? throw NotFound("unique.platform.gce.hostname");
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return $"zones/{zone}/instances/{(dot < 0 ? host : host[..dot])}";
    };

    private static string? Lookup(IReadOnlyDictionary<string, string>? map, string key)
        => map is not null && map.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static ClusterScaleException NotFound(string attribute) => new($"attribute \"{attribute}\" not found");
}
