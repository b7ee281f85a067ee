using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.CloudJoin;

/// <summary>
/// Mirrors cloud servers into Nomad nodes: an ACTIVE server of a configured pool registers a node (initializing,
/// then ready, as a booting client); a server that stops being ACTIVE or disappears takes its node down, as a
/// missed heartbeat does. Node attributes carry what os-nova's <c>name_attribute</c>/<c>id_attribute</c> read.
/// </summary>
internal sealed class CloudJoinHook
{
    /// <summary>Node attribute holding the server ID (usable as os-nova <c>id_attribute</c>).</summary>
    public const string IdAttribute = "unique.platform.openstack.id";

    /// <summary>Node attribute holding the server name.</summary>
    public const string NameAttribute = "unique.platform.openstack.name";

    /// <summary>os-nova's default <c>name_attribute</c>, which Nomad fills from EC2-compatible metadata on OpenStack.</summary>
    public const string AwsHostnameAttribute = "unique.platform.aws.hostname";

    /// <summary>Node meta key holding the server ID (os-nova <c>id_attribute = "meta.nova_id"</c>).</summary>
    public const string IdMeta = "nova_id";

    private readonly ClusterState _state;
    private readonly ICloudJoinSource _source;
    private readonly IReadOnlyList<CloudJoinPool> _pools;
    private readonly ILogger? _logger;

    public CloudJoinHook(ClusterState state, ICloudJoinSource source, IReadOnlyList<CloudJoinPool> pools, ILogger? logger = null)
    {
        _state = state;
        _source = source;
        _pools = pools;
        _logger = logger;
    }

    /// <summary>The last poll's failure, if it failed (kept for diagnostics; the loop carries on).</summary>
    public Exception? LastError { get; private set; }

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<CloudServer> servers;
        try
        {
            servers = await _source.ListServersAsync(cancellationToken);
            LastError = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LastError = ex;
            _logger?.Hclog(LogLevel.Warning, "cloud join: listing servers failed", ("error", ex.Message));
            return;
        }

        _state.Write(() => Apply(servers));
    }

    private void Apply(IReadOnlyList<CloudServer> servers)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in servers)
        {
            var pool = _pools.FirstOrDefault(p => InPool(server, p.PoolName));
            if (pool is null || (pool.NeverJoinMetadataKey is { } never && server.Metadata.ContainsKey(never)))
            {
                continue;
            }

            seen.Add(server.Id);
            var node = _state.Nodes.Values.FirstOrDefault(n => n.CloudServerId == server.Id);
            var active = string.Equals(server.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase);
            if (node is null)
            {
                if (active)
                {
                    Register(server, pool);
                    _logger?.Hclog(LogLevel.Information, "cloud join: server registered as a node", ("server", server.Name), ("id", server.Id), ("node_class", pool.NodeClass));
                }
            }
            else if (active && node.Status is NodeStatus.Down or NodeStatus.Disconnected)
            {
                _state.SetNodeStatusCore(node, NodeStatus.Ready);
            }
            else if (!active && node.Status is NodeStatus.Ready or NodeStatus.Initializing)
            {
                _state.SetNodeStatusCore(node, NodeStatus.Down);
                _logger?.Hclog(LogLevel.Information, "cloud join: server not active, node down", ("server", server.Name), ("status", server.Status), ("node", node.ID));
            }
        }

        foreach (var node in _state.Nodes.Values.Where(n => n.CloudServerId is not null && !seen.Contains(n.CloudServerId)).ToList())
        {
            if (node.Status != NodeStatus.Down)
            {
                _state.SetNodeStatusCore(node, NodeStatus.Down);
                _logger?.Hclog(LogLevel.Information, "cloud join: server gone, node down", ("server", node.Name), ("node", node.ID));
            }
        }
    }

    private void Register(CloudServer server, CloudJoinPool pool) => _state.AddNodeCore(NodeSpec(server.Id, server.Name, pool), server.Id);

    /// <summary>The node a pool server's Nomad client registers: the pool's class and size, and the attributes and
    /// meta os-nova maps nodes to servers by (see the README's "Cloud join" table).</summary>
    internal static SimulatorNodeSpec NodeSpec(string serverId, string serverName, CloudJoinPool pool) => new()
    {
        Name = serverName,
        Datacenter = pool.Datacenter,
        NodeClass = pool.NodeClass,
        NodePool = pool.NodePool,
        Cpu = pool.Cpu,
        MemoryMB = pool.MemoryMB,
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [IdAttribute] = serverId,
            [NameAttribute] = serverName,
            [AwsHostnameAttribute] = serverName + pool.HostnameSuffix,
            ["platform.openstack.pool"] = pool.PoolName,
        },
        Meta = new Dictionary<string, string>(StringComparer.Ordinal) { [IdMeta] = serverId, ["nova_name"] = serverName },
        StartInitializing = true,
    };

    private static bool InPool(CloudServer server, string poolName) =>
        server.Tags.Contains("na_pool:" + poolName, StringComparer.Ordinal)
        || (server.Metadata.TryGetValue("na_pool", out var value) && value == poolName);
}
