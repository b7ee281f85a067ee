using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>A policy's <c>target "os-nova" { ... }</c> block, parsed and validated (every bad key reported at once).</summary>
internal sealed record PoolTarget
{
    /// <summary>The tag every pool server carries: <c>na_pool:&lt;pool&gt;</c>.</summary>
    public const string PoolTagPrefix = "na_pool:";

    /// <summary>The metadata key every pool server carries, with the pool name as value.</summary>
    public const string PoolMetadataKey = "na_pool";

    /// <summary>The misspelt key of upstream, accepted as an alias.</summary>
    public const string MisspeltAvailabilityZones = "availavility_zones";

    private static readonly string[] KnownKeys =
    [
        "pool_name", "name", "name_prefix", "image_id", "image_name", "flavor_id", "flavor_name", "flavor_names", "network_ids", "network_names",
        "network_id", "network_name", "availability_zones", MisspeltAvailabilityZones, "evenly_split_azs", "server_group_id",
        "floatingip_pool_name", "security_groups", "user_data_template", "metadata", "tags", "value_separator", "stop_first",
        "force_delete", "dry-run",
        ClusterConfigKeys.NodeClass, ClusterConfigKeys.Datacenter, ClusterConfigKeys.NodePool, ClusterConfigKeys.NodeDrainDeadline,
        ClusterConfigKeys.NodeDrainIgnoreSystemJobs, ClusterConfigKeys.NodePurge, ClusterConfigKeys.NodeSelectorStrategy,
        ClusterConfigKeys.NodeFilterIgnoreInit, ClusterConfigKeys.NodeFilterIgnoreDrain, ClusterConfigKeys.NodeFilterIgnoreIneligible,
    ];

    public required string PoolName { get; init; }
    public string? Name { get; init; }
    public string? NamePrefix { get; init; }
    public string? ImageId { get; init; }
    public string? ImageName { get; init; }
    public string? FlavorId { get; init; }
    public string? FlavorName { get; init; }

    /// <summary><c>flavor_names</c>: flavors in preference order; later ones are used when Nova has no room for earlier ones.</summary>
    public IReadOnlyList<string> FlavorNames { get; init; } = [];
    public IReadOnlyList<string> NetworkIds { get; init; } = [];
    public IReadOnlyList<string> NetworkNames { get; init; } = [];
    public IReadOnlyList<string> AvailabilityZones { get; init; } = [];
    public bool EvenlySplitAzs { get; init; }
    public string? ServerGroupId { get; init; }
    public string? FloatingIpPoolName { get; init; }
    public IReadOnlyList<string> SecurityGroups { get; init; } = [];
    public string? UserDataTemplate { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Tags { get; init; } = [];
    public bool? StopFirst { get; init; }
    public bool? ForceDelete { get; init; }
    public bool DryRun { get; init; }
    public required ClusterScaleInOptions Cluster { get; init; }

    public string PoolTag => PoolTagPrefix + PoolName;

    /// <summary>Parses the block. Unknown keys are errors with a hint; <c>availavility_zones</c> is accepted with a warning.</summary>
    /// <exception cref="PluginConfigException">Every bad key.</exception>
    public static PoolTarget Parse(PluginSettings settings, ILogger logger)
    {
        var violations = new List<ConfigViolation>();
        foreach (var key in settings.Keys.Order(StringComparer.Ordinal))
        {
            if (KnownKeys.Contains(key, StringComparer.Ordinal) || key.StartsWith("nomad_", StringComparison.Ordinal)
                || key.StartsWith("_nomad_autoscaler", StringComparison.Ordinal)) continue;
            var hint = KnownKeys.OrderBy(k => Distance(k, key)).First();
            violations.Add(new ConfigViolation(key, Distance(hint, key) <= 3 ? $"unknown key (did you mean \"{hint}\"?)" : "unknown key"));
        }

        T? Read<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (PluginConfigException ex)
            {
                violations.AddRange(ex.Violations);
                return default;
            }
        }

        var separator = settings.GetString("value_separator", ",")!;
        IReadOnlyList<string> List(string key) => (settings.GetString(key) ?? "")
            .Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        var poolName = settings.GetString("pool_name")?.Trim();
        if (string.IsNullOrEmpty(poolName)) violations.Add(new ConfigViolation("pool_name", "required config param pool_name not found"));
        else if (poolName.Length > 60 - PoolTagPrefix.Length || poolName.Contains(',', StringComparison.Ordinal) || poolName.Contains('/', StringComparison.Ordinal))
            violations.Add(new ConfigViolation("pool_name", $"\"{poolName}\" cannot be part of a Nova tag (at most {60 - PoolTagPrefix.Length} characters, no ',' or '/')"));

        var name = settings.GetString("name");
        var namePrefix = settings.GetString("name_prefix");
        if (name is not null && namePrefix is not null) violations.Add(new ConfigViolation("name", "only one of name or name_prefix can have value"));

        var imageId = settings.GetString("image_id");
        var imageName = settings.GetString("image_name");
        var flavorId = settings.GetString("flavor_id");
        var flavorName = settings.GetString("flavor_name");
        var flavorNames = List("flavor_names");
        if (settings.ContainsKey("flavor_names"))
        {
            if (flavorId is not null || flavorName is not null)
                violations.Add(new ConfigViolation("flavor_names", "set either flavor_names or flavor_id/flavor_name, not both"));
            else if (flavorNames.Count == 0)
                violations.Add(new ConfigViolation("flavor_names", "lists no flavor"));
            else if (flavorNames.Distinct(StringComparer.Ordinal).Count() != flavorNames.Count)
                violations.Add(new ConfigViolation("flavor_names", "lists a flavor twice"));
        }

        var networkIds = List("network_ids");
        var networkNames = List("network_names");
        if (networkIds.Count == 0 && networkNames.Count == 0)
        {
            if (settings.GetString("network_id") is { } networkId) networkIds = [networkId.Trim()];
            else if (settings.GetString("network_name") is { } networkName) networkNames = [networkName.Trim()];
        }

        var zones = List("availability_zones");
        if (settings.ContainsKey(MisspeltAvailabilityZones))
        {
            if (settings.ContainsKey("availability_zones"))
                violations.Add(new ConfigViolation(MisspeltAvailabilityZones, "set either availability_zones or its misspelt alias availavility_zones, not both"));
            else
            {
                logger.Hclog(LogLevel.Warning, "config key availavility_zones is a misspelling kept for compatibility, use availability_zones", ("pool_name", poolName));
                zones = List(MisspeltAvailabilityZones);
            }
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in List("metadata"))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var key = eq > 0 ? item[..eq].Trim() : "";
            if (key.Length == 0) violations.Add(new ConfigViolation("metadata", $"item \"{item}\" is not key=value"));
            else if (key == PoolMetadataKey) violations.Add(new ConfigViolation("metadata", $"key \"{PoolMetadataKey}\" is reserved for the pool name"));
            else metadata[key] = item[(eq + 1)..].Trim();
        }

        var tags = List("tags");
        foreach (var tag in tags)
        {
            if (tag.Length > 60 || tag.Contains('/', StringComparison.Ordinal))
                violations.Add(new ConfigViolation("tags", $"\"{tag}\" is not a valid Nova tag (at most 60 characters, no '/')"));
            else if (tag.StartsWith(PoolTagPrefix, StringComparison.Ordinal))
                violations.Add(new ConfigViolation("tags", $"\"{tag}\": tags starting with {PoolTagPrefix} are reserved for the pool tag"));
        }

        var template = settings.GetString("user_data_template");
        if (template is not null && !File.Exists(template))
            violations.Add(new ConfigViolation("user_data_template", $"error with provided template file: {template} does not exist"));

        var evenly = Read(() => settings.GetBoolean("evenly_split_azs", false)) ?? false;
        if (!evenly && zones.Count > 1)
            logger.Hclog(LogLevel.Warning, "availability_zones lists several zones but evenly_split_azs is false: new servers go to the first", ("pool_name", poolName),
                ("zones", zones.Count), ("zone", zones[0]));
        var stopFirst = Read(() => settings.GetBoolean("stop_first"));
        var forceDelete = Read(() => settings.GetBoolean("force_delete"));
        var dryRun = Read(() => settings.GetBoolean("dry-run", false)) ?? false;
        var cluster = Read(() => ClusterScaleInOptions.FromConfig(settings));

        if (violations.Count > 0) throw new PluginConfigException(violations);
        return new PoolTarget
        {
            PoolName = poolName!,
            Name = name,
            NamePrefix = namePrefix,
            ImageId = imageId,
            ImageName = imageName,
            FlavorId = flavorId,
            FlavorName = flavorName,
            FlavorNames = flavorNames,
            NetworkIds = networkIds,
            NetworkNames = networkNames,
            AvailabilityZones = zones,
            EvenlySplitAzs = evenly,
            ServerGroupId = settings.GetString("server_group_id"),
            FloatingIpPoolName = settings.GetString("floatingip_pool_name"),
            SecurityGroups = List("security_groups"),
            UserDataTemplate = template,
            Metadata = metadata,
            Tags = tags,
            StopFirst = stopFirst,
            ForceDelete = forceDelete,
            DryRun = dryRun,
            Cluster = cluster!,
        };
    }

    /// <summary>Checks what a scale-out needs, so a bad policy fails before anything is created.</summary>
    public void ValidateForScaleOut()
    {
        var violations = new List<ConfigViolation>();
        if (Name is null && NamePrefix is null) violations.Add(new ConfigViolation("name_prefix", "one of name or name_prefix is required to create servers"));
        if (ImageId is null && ImageName is null) violations.Add(new ConfigViolation("image_id", "required config param image_id or image_name"));
        if (FlavorId is null && FlavorName is null && FlavorNames.Count == 0) violations.Add(new ConfigViolation("flavor_id", "required config param flavor_id, flavor_name or flavor_names"));
        if (NetworkIds.Count == 0 && NetworkNames.Count == 0)
            violations.Add(new ConfigViolation("network_ids", "required config param network_ids/network_names or network_id/network_name not found"));
        if (violations.Count > 0) throw new PluginConfigException(violations);
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        }

        return d[a.Length, b.Length];
    }
}
