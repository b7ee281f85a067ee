using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;
using NomadAutoscaler.Simulator.CloudJoin;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Cloud;

/// <summary>
/// A cloud of servers for node pools, inside the simulator: a server is created <c>BUILD</c>, becomes <c>ACTIVE</c>
/// after <see cref="SimulatedCloudOptions.BootDelay"/> (± jitter) or <c>ERROR</c> at the configured rate, and once
/// ACTIVE its Nomad client joins the cluster as a node of the pool's class, carrying the attributes os-nova maps
/// servers by. A deleted server's node goes down and is purged, so its allocations are lost and rescheduled.
/// </summary>
/// <remarks>Boots progress with the simulator's ticker, on its <see cref="TimeProvider"/>. Names, IDs, delays and
/// failures are deterministic for a seed and a sequence of calls, so a run can be replayed byte for byte.</remarks>
public sealed class SimulatedCloud
{
    private readonly ClusterState _state;
    private readonly SimulatedCloudOptions _options;
    private readonly ILogger? _logger;
    private readonly Random _random;
    private readonly List<Entry> _servers = [];
    private readonly Dictionary<string, int> _nameCounters = new(StringComparer.Ordinal);

    internal SimulatedCloud(ClusterState state, SimulatedCloudOptions options, ILogger? logger)
    {
        if (options.BootDelay < TimeSpan.Zero || options.BootJitter < TimeSpan.Zero)
        {
            throw new ArgumentException("BootDelay and BootJitter must not be negative.", nameof(options));
        }

        if (options.BootFailureRate is < 0 or > 1 || double.IsNaN(options.BootFailureRate))
        {
            throw new ArgumentException($"BootFailureRate {options.BootFailureRate} is not a probability between 0 and 1.", nameof(options));
        }

        _state = state;
        _options = options;
        _logger = logger;
        _random = new Random(options.Seed);
    }

    /// <summary>Every server ever created, deleted ones included, in creation order.</summary>
    public IReadOnlyList<SimulatedServer> Servers() => _state.Read(() => _servers.Select(e => e.Snapshot()).ToList()).Result;

    /// <summary>The servers of one pool, deleted ones included, in creation order.</summary>
    public IReadOnlyList<SimulatedServer> Servers(string pool) =>
        _state.Read(() => _servers.Where(e => e.Pool.Name == pool).Select(e => e.Snapshot()).ToList()).Result;

    /// <summary>How many servers of the pool exist (booting, active or in error): what the cloud bills.</summary>
    public int LiveCount(string pool) =>
        _state.Read(() => _servers.Count(e => e.Pool.Name == pool && e.State != SimulatedServerState.Deleted)).Result;

    /// <summary>One server by ID, or null.</summary>
    public SimulatedServer? Server(string serverId) =>
        _state.Read(() => _servers.FirstOrDefault(e => e.Id == serverId)?.Snapshot()).Result;

    /// <summary>Creates <paramref name="count"/> servers in <paramref name="pool"/>; they start <c>BUILD</c>, or with
    /// <paramref name="booted"/> (a pool that already ran before the simulation started) <c>ACTIVE</c> at once, and
    /// never fail.</summary>
    public IReadOnlyList<SimulatedServer> Create(SimulatedPool pool, int count, bool booted = false)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrWhiteSpace(pool.Name);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return _state.Write(() =>
        {
            var now = _state.Now;
            var created = new List<SimulatedServer>(count);
            for (var i = 0; i < count; i++)
            {
                var n = _nameCounters[pool.Name] = _nameCounters.GetValueOrDefault(pool.Name) + 1;
                var jitter = _options.BootJitter > TimeSpan.Zero
                    ? TimeSpan.FromTicks((long)(((_random.NextDouble() * 2) - 1) * _options.BootJitter.Ticks))
                    : TimeSpan.Zero;
                var boot = booted ? TimeSpan.Zero : _options.BootDelay + jitter;
                var name = $"{pool.Name}-{n}";
                var fault = booted ? SimulatedBootFault.None : _options.BootFault?.Invoke(name) ?? SimulatedBootFault.None;
                var entry = new Entry
                {
                    Id = NewUuid(),
                    Name = name,
                    Pool = pool,
                    CreatedAt = now,
                    BootsAt = now + (boot < TimeSpan.Zero ? TimeSpan.Zero : boot),
                    Fails = (!booted && _options.BootFailureRate > 0 && _random.NextDouble() < _options.BootFailureRate) || fault == SimulatedBootFault.Error,
                    NeverJoins = fault == SimulatedBootFault.NeverJoin,
                    NodeId = NewUuid(),
                };
                _servers.Add(entry);
                created.Add(entry.Snapshot());
                _logger?.Hclog(LogLevel.Information, "cloud: server created", ("server", entry.Name), ("id", entry.Id), ("pool", pool.Name), ("boots_at", entry.BootsAt));
            }

            Advance(now);
            return created;
        });
    }

    /// <summary>Deletes servers (unknown or already deleted IDs are skipped); returns those it deleted. A deleted
    /// server's node goes down and is purged, so whatever still ran there is lost and rescheduled.</summary>
    public IReadOnlyList<SimulatedServer> Delete(IEnumerable<string> serverIds)
    {
        ArgumentNullException.ThrowIfNull(serverIds);
        var ids = serverIds.ToList();
        return _state.Write(() =>
        {
            var deleted = new List<SimulatedServer>();
            foreach (var id in ids)
            {
                var entry = _servers.FirstOrDefault(e => e.Id == id);
                if (entry is null || entry.State == SimulatedServerState.Deleted)
                {
                    continue;
                }

                if (entry.State == SimulatedServerState.Active && _state.Nodes.TryGetValue(entry.NodeId, out var node))
                {
                    _state.SetNodeStatusCore(node, NodeStatus.Down);
                    _state.PurgeNode(node.ID);
                }

                entry.State = SimulatedServerState.Deleted;
                entry.DeletedAt = _state.Now;
                deleted.Add(entry.Snapshot());
                _logger?.Hclog(LogLevel.Information, "cloud: server deleted", ("server", entry.Name), ("id", entry.Id), ("pool", entry.Pool.Name));
            }

            return deleted;
        });
    }

    /// <summary>Finishes the boots now due. Runs under the state lock (inside a write).</summary>
    internal void Advance(DateTimeOffset now)
    {
        foreach (var entry in _servers.Where(e => e.State == SimulatedServerState.Build && e.BootsAt <= now).ToList())
        {
            if (entry.Fails)
            {
                entry.State = SimulatedServerState.Error;
                _logger?.Hclog(LogLevel.Warning, "cloud: server boot failed", ("server", entry.Name), ("id", entry.Id), ("pool", entry.Pool.Name));
                continue;
            }

            entry.State = SimulatedServerState.Active;
            entry.ActiveAt = now;
            if (entry.NeverJoins)
            {
                _logger?.Hclog(LogLevel.Warning, "cloud: server active, but its node never joins", ("server", entry.Name), ("id", entry.Id), ("pool", entry.Pool.Name));
                continue;
            }

            var pool = new CloudJoinPool
            {
                PoolName = entry.Pool.Name,
                NodeClass = entry.Pool.NodeClass,
                Datacenter = entry.Pool.Datacenter,
                NodePool = entry.Pool.NodePool,
                Cpu = entry.Pool.Cpu,
                MemoryMB = entry.Pool.MemoryMB,
            };
            _state.AddNodeCore(CloudJoinHook.NodeSpec(entry.Id, entry.Name, pool) with { Id = entry.NodeId }, entry.Id);
            _logger?.Hclog(LogLevel.Information, "cloud: server active, node joining", ("server", entry.Name), ("id", entry.Id), ("pool", entry.Pool.Name),
                ("node_class", entry.Pool.NodeClass));
        }
    }

    private string NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid's byte order puts the version nibble in byte 7)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }

    private sealed class Entry
    {
        public required string Id { get; init; }
        public required string Name { get; init; }
        public required SimulatedPool Pool { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public required DateTimeOffset BootsAt { get; init; }
        public required bool Fails { get; init; }
        public bool NeverJoins { get; init; }
        public required string NodeId { get; init; }
        public SimulatedServerState State { get; set; } = SimulatedServerState.Build;
        public DateTimeOffset? ActiveAt { get; set; }
        public DateTimeOffset? DeletedAt { get; set; }

        public SimulatedServer Snapshot() =>
            new(Id, Name, Pool.Name, State, CreatedAt, ActiveAt, DeletedAt, ActiveAt is null ? null : NodeId, Pool);
    }
}
