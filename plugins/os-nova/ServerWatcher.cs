using Microsoft.Extensions.Logging;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Waits for many servers of one pool with a single poll loop: one <c>GET /servers/detail?tags=</c> per
/// interval answers every waiter (polling each server separately makes nova-api ask Neutron per server).</summary>
internal sealed class ServerWatcher : IAsyncDisposable
{
    private readonly NovaClient _nova;
    private readonly string _tag;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Waiter> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ServerWatcher(NovaClient nova, string tag, TimeProvider time, TimeSpan interval, ILogger logger)
    {
        _nova = nova;
        _tag = tag;
        _time = time;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>Completes with the server once <paramref name="done"/> holds for it; the argument is null once the server is gone.</summary>
    public async Task<NovaServer?> WaitAsync(string serverId, Func<NovaServer?, bool> done, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(serverId, done);
        lock (_gate)
        {
            _waiters.Add(waiter);
            _loop ??= Task.Run(() => PollAsync(_stop.Token), CancellationToken.None);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _waiters.Remove(waiter);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            List<Waiter> pending;
            lock (_gate) pending = [.. _waiters];
            if (pending.Count > 0)
            {
                try
                {
                    var servers = (await _nova.ListServersAsync(_tag, cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Id, StringComparer.Ordinal);
                    foreach (var waiter in pending)
                    {
                        var server = servers.GetValueOrDefault(waiter.ServerId);
                        if (waiter.Done(server)) waiter.Completion.TrySetResult(server);
                    }
                }
                catch (OpenStackApiException ex)
                {
                    // A failed poll is retried at the next tick; each waiter's own deadline bounds the wait.
                    _logger.Hclog(LogLevel.Debug, "server status poll failed", ("error", ex.Message));
                }
            }

            try
            {
                await Task.Delay(_interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
    }

    private sealed record Waiter(string ServerId, Func<NovaServer?, bool> Done)
    {
        public TaskCompletionSource<NovaServer?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
