namespace NomadAutoscaler.Simulator;

/// <summary>One pool of cloud servers that join the simulated cluster, and the node each ACTIVE server becomes.</summary>
public sealed record CloudJoinPool
{
    /// <summary>The os-nova <c>pool_name</c>: servers tagged <c>na_pool:&lt;PoolName&gt;</c> belong to it.</summary>
    public required string PoolName { get; init; }

    public string NodeClass { get; init; } = "";
    public string Datacenter { get; init; } = "dc1";
    public string NodePool { get; init; } = "default";
    public int Cpu { get; init; } = 4000;
    public int MemoryMB { get; init; } = 8192;

    /// <summary>Appended to the server name in <c>unique.platform.aws.hostname</c> (EC2-compatible metadata
    /// often carries a domain such as <c>.novalocal</c>); empty by default.</summary>
    public string HostnameSuffix { get; init; } = "";

    /// <summary>Servers carrying this metadata key (any value) never register a node, as when a broken image, bad
    /// user_data or a wrong network keeps the Nomad client from joining; null (the default) lets every server join.</summary>
    public string? NeverJoinMetadataKey { get; init; }
}
