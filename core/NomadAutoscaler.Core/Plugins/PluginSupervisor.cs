using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Keeps one plugin process running: after a crash (an exit the agent did not ask for) it logs the exit code
/// and the last stderr lines, then relaunches with exponential backoff. Calls during the outage fail fast.
/// Upstream never restarts plugins, so one crash leaves its policies failing until the agent restarts.</summary>
internal sealed class PluginSupervisor<T> : IAsyncDisposable
    where T : class, ISupervisedProcess
{
    private readonly string _name;
    private readonly PluginKind _kind;
    private readonly Func<CancellationToken, Task<T>> _launch;
    private readonly PluginHostOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();

    // Disposal or the agent's stop: either ends the restart loop.
    private readonly CancellationTokenSource _stopRestarts;
    private readonly Lock _lock = new();
    private T? _current;
    private TimeSpan _nextDelay;
    private int _restartAttempt;
    private Task _restartLoop = Task.CompletedTask;

    public PluginSupervisor(string name, PluginKind kind, Func<CancellationToken, Task<T>> launch, PluginHostOptions options, ILogger logger)
    {
        _name = name;
        _kind = kind;
        _launch = launch;
        _options = options;
        _logger = logger;
        _nextDelay = options.RestartInitialDelay;
        _stopRestarts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token, options.Stopping);
    }

    /// <summary>Number of restarts that succeeded.</summary>
    public int RestartCount { get; private set; }

    /// <summary>Raised after a restart succeeded (tests and telemetry).</summary>
    public event Action<T>? Restarted;

    /// <summary>Raised when a crash is detected, before the restart delay.</summary>
    public event Action<T, TimeSpan>? Crashed;

    /// <summary>Raised when the timer for the next restart attempt has been set (after a crash or a failed relaunch).</summary>
    public event Action<TimeSpan>? RestartScheduled;

    /// <summary>Raised when an exit that looks like a stop signal starts waiting <see cref="PluginHostOptions.StopSignalGrace"/>
    /// for the agent's own stop (tests).</summary>
    public event Action? StopSignalGraceStarted;

    /// <summary>The first launch; its failure is the caller's (agent start fails, as upstream).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var instance = await _launch(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested)
            {
                _ = instance.DisposeAsync().AsTask();
                throw new ObjectDisposedException(_name);
            }

            _current = instance;
        }

        Watch(instance);
    }

    /// <summary>The running instance, or <see cref="PluginUnavailableException"/> saying why there is none.</summary>
    public T Current()
    {
        var current = CurrentOrNull();
        if (current is not null) return current;
        var kindName = External.ExternalPluginLauncher.KindName(_kind);
        if (_disposed.IsCancellationRequested)
            throw new PluginUnavailableException(_name, _kind, $"{kindName} plugin \"{_name}\" has been shut down");
        throw new PluginUnavailableException(_name, _kind,
            $"{kindName} plugin \"{_name}\" is restarting after a crash (restart attempt {Volatile.Read(ref _restartAttempt)}); try again later");
    }

    public T? CurrentOrNull()
    {
        var current = Volatile.Read(ref _current);
        return current is not null && !current.Exited.IsCompleted ? current : null;
    }

    private void Watch(T instance)
        => _ = instance.Exited.ContinueWith(_ => OnExited(instance), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void OnExited(T instance)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_current, instance)) return;
            _current = null;
            if (instance.StopRequested || _disposed.IsCancellationRequested) return;
        }

        if (_options.Stopping.IsCancellationRequested) ExitedWithAgent(instance);
        else if (LooksLikeStopSignal(instance.ExitCode)) _ = AwaitAgentStopAsync(instance);
        else OnCrashed(instance);
    }

    /// <summary>Exit 0 is a plugin that handled a stop signal; 128 + n is one that died of signal n (how .NET reports
    /// it): SIGHUP, SIGINT and SIGTERM are what a service manager or a shell sends a whole process group.</summary>
    private static bool LooksLikeStopSignal(int? exitCode) => exitCode is 0 or 128 + 1 or 128 + 2 or 128 + 15;

    private async Task AwaitAgentStopAsync(T instance)
    {
        try
        {
            var grace = Task.Delay(_options.StopSignalGrace, _options.TimeProvider, _options.Stopping);
            StopSignalGraceStarted?.Invoke();
            await grace.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ExitedWithAgent(instance);
            return;
        }

        if (_disposed.IsCancellationRequested) _ = instance.DisposeAsync().AsTask();
        else OnCrashed(instance);
    }

    /// <summary>The agent is stopping, and the same signal stopped the plugin: nothing is wrong and nothing restarts.</summary>
    private void ExitedWithAgent(T instance)
    {
        _logger.Hclog(LogLevel.Debug, "plugin process exited as the agent stops",
            ("plugin_name", _name), ("pid", instance.ProcessId), ("exit_code", instance.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"));
        _ = instance.DisposeAsync().AsTask();
    }

    private void OnCrashed(T instance)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var uptime = _options.TimeProvider.GetUtcNow() - instance.StartedAt;
            if (uptime >= _options.RestartResetAfter) _nextDelay = _options.RestartInitialDelay;
            delay = _nextDelay;
        }

        var lastLines = instance.LastStderrLines;
        // Exit code 0 is a plugin that was asked to stop by someone else; when the agent is not stopping too, it is
        // restarted, as the agent goes on running.
        _logger.Hclog(instance.ExitCode == 0 ? LogLevel.Warning : LogLevel.Error, "plugin process exited unexpectedly",
            ("plugin_name", _name), ("pid", instance.ProcessId), ("exit_code", instance.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"),
            ("restart_in", delay), ("last_stderr", lastLines.Count == 0 ? "(empty)" : string.Join("\n", lastLines)));
        Crashed?.Invoke(instance, delay);
        _ = instance.DisposeAsync().AsTask();
        lock (_lock)
        {
            // Checked under the lock DisposeAsync cancels under, so no loop starts after disposal has collected it.
            if (!_disposed.IsCancellationRequested) _restartLoop = RestartLoopAsync();
        }
    }

    private async Task RestartLoopAsync()
    {
        var token = _stopRestarts.Token;
        while (!token.IsCancellationRequested)
        {
            TimeSpan delay;
            lock (_lock)
            {
                delay = _nextDelay;
                var doubled = TimeSpan.FromTicks(Math.Min(_nextDelay.Ticks * 2, _options.RestartMaxDelay.Ticks));
                _nextDelay = doubled < _options.RestartInitialDelay ? _options.RestartInitialDelay : doubled;
                _restartAttempt++;
            }

            try
            {
                var wait = Task.Delay(delay, _options.TimeProvider, token);
                _logger.Hclog(LogLevel.Debug, "plugin restart scheduled", ("plugin_name", _name), ("delay", delay));
                RestartScheduled?.Invoke(delay);
                await wait.ConfigureAwait(false);
                _logger.Hclog(LogLevel.Information, "restarting plugin", ("plugin_name", _name), ("attempt", Volatile.Read(ref _restartAttempt)));
                var instance = await _launch(token).ConfigureAwait(false);
                lock (_lock)
                {
                    if (token.IsCancellationRequested)
                    {
                        _ = instance.DisposeAsync().AsTask();
                        return;
                    }

                    _current = instance;
                    _restartAttempt = 0;
                    RestartCount++;
                }

                _logger.Hclog(LogLevel.Information, "plugin restarted", ("plugin_name", _name), ("pid", instance.ProcessId));
                Watch(instance);
                Restarted?.Invoke(instance);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.Hclog(LogLevel.Error, "failed to restart plugin", ("plugin_name", _name), ("error", ex.Message), ("retry_in", _nextDelay));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        T? current;
        Task restartLoop;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            current = _current;
            _current = null;
            restartLoop = _restartLoop;
        }

        await restartLoop.ConfigureAwait(false);
        if (current is not null) await current.DisposeAsync().ConfigureAwait(false);
        _stopRestarts.Dispose();
    }
}
