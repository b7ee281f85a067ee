using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>
/// A TCP proxy on 127.0.0.1 between one agent and the Nomad simulator, which a test can partition. A partition
/// behaves like dropped packets, not like a refused port: open connections stay open but nothing more crosses
/// them, and new connections are accepted and then ignored, so the agent's calls hang until its own timeouts end
/// them. Nothing sent during a partition ever reaches Nomad, even after <see cref="Heal"/>.
/// </summary>
internal sealed class BlockingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, byte> _upstreamPorts = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly Task _accepting;
    private volatile bool _partitioned;

    public BlockingProxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        if (!IPAddress.IsLoopback(_upstream.Address)) throw new ArgumentException("the proxy only forwards to loopback", nameof(upstream));
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public bool IsPartitioned => _partitioned;

    /// <summary>True when <paramref name="client"/> (<c>ip:port</c> as the simulator saw it) is one of this proxy's
    /// connections to Nomad, i.e. the request came from this proxy's agent.</summary>
    public bool Carried(string client)
    {
        var colon = client.LastIndexOf(':');
        return colon > 0 && int.TryParse(client.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) && _upstreamPorts.ContainsKey(port);
    }

    public void Partition()
    {
        _partitioned = true;
        foreach (var connection in _connections.Keys) connection.Frozen = true;
    }

    /// <summary>Ends the partition. Connections frozen by it are reset (as a peer that lost its state would), so
    /// the agent reconnects; what they carried during the partition is dropped.</summary>
    public void Heal()
    {
        _partitioned = false;
        foreach (var connection in _connections.Keys.Where(c => c.Frozen)) Close(connection);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var connection = new Connection(client) { Frozen = _partitioned };
        _connections[connection] = 0;
        try
        {
            if (connection.Frozen)
            {
                // Accepted, never answered: the far side of a partition.
                await Task.Delay(Timeout.Infinite, connection.Closed.Token);
                return;
            }

            var upstream = new TcpClient();
            connection.Upstream = upstream;
            await upstream.ConnectAsync(_upstream, _stop.Token);
            _upstreamPorts[((IPEndPoint)upstream.Client.LocalEndPoint!).Port] = 0;
            await Task.WhenAny(PumpAsync(connection, client.GetStream(), upstream.GetStream()), PumpAsync(connection, upstream.GetStream(), client.GetStream()));
        }
        catch (Exception)
        {
            // A reset or a closed side ends the connection, as it would end a real one.
        }
        finally
        {
            Close(connection);
        }
    }

    private static async Task PumpAsync(Connection connection, NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16384];
        while (true)
        {
            var read = await from.ReadAsync(buffer, connection.Closed.Token);
            if (read == 0) return;
            // Frozen: the bytes are dropped on the floor, both ways.
            if (!connection.Frozen) await to.WriteAsync(buffer.AsMemory(0, read), connection.Closed.Token);
        }
    }

    private void Close(Connection connection)
    {
        if (!_connections.TryRemove(connection, out _)) return;
        connection.Closed.Cancel();
        connection.Client.Client.LingerState = new LingerOption(true, 0);
        connection.Client.Dispose();
        connection.Upstream?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var connection in _connections.Keys) Close(connection);
        _stop.Dispose();
    }

    private sealed class Connection(TcpClient client)
    {
        public TcpClient Client => client;

        public TcpClient? Upstream { get; set; }

        private volatile bool _frozen;

        public bool Frozen
        {
            get => _frozen;
            set => _frozen = value;
        }

        public CancellationTokenSource Closed { get; } = new();
    }
}
