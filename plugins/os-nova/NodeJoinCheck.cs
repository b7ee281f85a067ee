using System.Collections.Concurrent;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.OpenStack;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>What <see cref="NodeJoinCheck"/> found: ACTIVE servers past <c>node_join_timeout</c> without a Nomad node
/// (oldest first), or a mapping error when not one server maps to the pool's live nodes.</summary>
internal sealed record JoinCheckResult(IReadOnlyList<NovaServer> Unjoined, string? MappingError)
{
    public static readonly JoinCheckResult None = new([], null);
}

/// <summary>Finds pool servers whose Nomad client never registered (a broken image, bad user_data or a wrong network
/// look like capacity otherwise). The node attribute a server maps by is read once per node ID: a node's attributes
/// do not change, and reading every node on every evaluation would cost one Nomad call per node.</summary>
internal sealed class NodeJoinCheck
{
    private readonly NomadClient _nomad;
    private readonly OsNovaOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string?> _valueByNode = new(StringComparer.Ordinal);

    public NodeJoinCheck(NomadClient nomad, OsNovaOptions options, TimeProvider time)
    {
        _nomad = nomad;
        _options = options;
        _time = time;
    }

    private bool ById => !string.IsNullOrEmpty(_options.IdAttribute);

    /// <summary>The attribute servers are mapped by, and the config key that chose it.</summary>
    public (string Key, string Attribute) Mapping => ById
        ? ("id_attribute", _options.IdAttribute!)
        : ("name_attribute", string.IsNullOrEmpty(_options.NameAttribute) ? NodeRemoteId.DefaultNameAttribute : _options.NameAttribute);

    /// <exception cref="NomadApiException">A node could not be read.</exception>
    public async Task<JoinCheckResult> CheckAsync(PoolTarget target, IReadOnlyList<NodeListStub> nodes, IReadOnlyList<NovaServer> servers,
        CancellationToken cancellationToken)
    {
        if (_options.NodeJoinTimeout <= TimeSpan.Zero) return JoinCheckResult.None;
        var cutoff = _time.GetUtcNow() - _options.NodeJoinTimeout;
        var old = servers.Where(s => s.Status == "ACTIVE" && (s.LaunchedAt ?? s.Created) is { } since && since <= cutoff).ToList();
        if (old.Count == 0) return JoinCheckResult.None;

        var members = nodes.Where(n => target.Cluster.Pool.Matches(n.NodeClass, n.Datacenter, n.NodePool)).ToList();
        var listed = members.Select(n => n.ID).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _valueByNode.Keys.Where(id => !listed.Contains(id)).ToList()) _valueByNode.TryRemove(gone, out _);
        var lookup = NodeRemoteId.ForOpenStack(_options.IdAttribute, _options.NameAttribute);
        foreach (var node in members.Where(n => !_valueByNode.ContainsKey(n.ID)))
        {
            var full = (await _nomad.GetNodeAsync(node.ID, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            string? value;
            try
            {
                value = lookup(full);
            }
            catch (ClusterScaleException)
            {
                value = null;
            }

            _valueByNode[node.ID] = value;
        }

        var values = members.Select(n => _valueByNode.GetValueOrDefault(n.ID)).OfType<string>().ToList();
        bool Joined(NovaServer server) => values.Any(v => Matches(v, server));
        var unjoined = old.Where(s => !Joined(s)).OrderBy(s => s.LaunchedAt ?? s.Created).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        if (unjoined.Count == 0) return JoinCheckResult.None;

        // A pool whose live nodes match none of its servers is far more likely misconfigured than broken as a whole:
        // deleting then would replace every healthy server.
        var live = members.Where(n => n.Status is not ("down" or "disconnected")).ToList();
        if (live.Count > 0 && !servers.Any(Joined))
        {
            var (key, attribute) = Mapping;
            var example = live.OrderBy(n => n.Name, StringComparer.Ordinal).First();
            var value = _valueByNode.GetValueOrDefault(example.ID);
            var seen = value is null ? $"node {example.Name} has no attribute \"{attribute}\"" : $"node {example.Name} has {attribute}=\"{value}\"";
            var expected = ById ? $"server IDs such as {servers[0].Id}" : $"server names such as {servers[0].Name}";
            return new JoinCheckResult([], $"mapping error: {key} \"{attribute}\" maps none of the pool's {live.Count} live nodes to its {servers.Count} servers "
                + $"({seen}; expected {expected}); not deleting any server, check {key}");
        }

        return new JoinCheckResult(unjoined, null);
    }

    /// <summary>Nomad's hostname attribute may carry a domain (".novalocal") that the Nova name lacks.</summary>
    private bool Matches(string value, NovaServer server)
    {
        if (ById) return value == server.Id;
        if (value == server.Name) return true;
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && value[..dot] == server.Name;
    }
}
