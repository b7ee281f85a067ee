namespace NomadAutoscaler.Simulator;

/// <summary>An <see cref="ICloudJoinSource"/> whose servers tests add, change and remove directly.</summary>
public sealed class InMemoryCloudJoinSource : ICloudJoinSource
{
    private readonly object _gate = new();
    private readonly Dictionary<string, CloudServer> _servers = new(StringComparer.Ordinal);

    /// <summary>Adds a server tagged into <paramref name="poolName"/>, or replaces one with the same ID.</summary>
    public CloudServer AddServer(string id, string name, string poolName, string status = "ACTIVE")
    {
        var server = new CloudServer(id, name, status, ["na_pool:" + poolName], new Dictionary<string, string>(StringComparer.Ordinal));
        Put(server);
        return server;
    }

    public void Put(CloudServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_gate)
        {
            _servers[server.Id] = server;
        }
    }

    public void SetStatus(string id, string status)
    {
        lock (_gate)
        {
            _servers[id] = _servers[id] with { Status = status };
        }
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            return _servers.Remove(id);
        }
    }

    public Task<IReadOnlyList<CloudServer>> ListServersAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CloudServer>>([.. _servers.Values]);
        }
    }
}
