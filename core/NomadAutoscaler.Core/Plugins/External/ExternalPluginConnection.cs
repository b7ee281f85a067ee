using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using NomadAutoscaler.Plugins.Contracts.GoPlugin;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>One running plugin process and its gRPC channel. Waits on the process use real time; the injected clock only
/// stamps <see cref="StartedAt"/> for the supervisor's backoff reset.</summary>
internal sealed class ExternalPluginConnection : ISupervisedProcess
{
    private readonly Process _process;
    private readonly GrpcChannel _channel;
    private readonly CancellationTokenSource _lifetime;
    private readonly TimeSpan _shutdownGrace;
    private int _stopRequested;

    public ExternalPluginConnection(Process process, GrpcChannel channel, CancellationTokenSource lifetime, Task exited,
        PluginStderrRelogger stderr, TimeSpan shutdownGrace, TimeProvider timeProvider)
    {
        _process = process;
        _channel = channel;
        _lifetime = lifetime;
        Exited = exited;
        Stderr = stderr;
        _shutdownGrace = shutdownGrace;
        StartedAt = timeProvider.GetUtcNow();
    }

    public CallInvoker CallInvoker => _channel.CreateCallInvoker();

    public GrpcChannel Channel => _channel;

    public int ProcessId => _process.Id;

    /// <summary>Completes when the process has exited (for any reason).</summary>
    public Task Exited { get; }

    public DateTimeOffset StartedAt { get; }

    public bool StopRequested => Volatile.Read(ref _stopRequested) != 0;

    public PluginStderrRelogger Stderr { get; }

    public IReadOnlyList<string> LastStderrLines => Stderr.LastLines;

    /// <summary>Cancelled when the process exits, so calls in flight fail fast instead of waiting on a dead socket.</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    public int? ExitCode
    {
        get
        {
            try
            {
                return _process.HasExited ? _process.ExitCode : null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }

    /// <summary>go-plugin's Kill: Shutdown RPC (result ignored) → wait up to the grace period → SIGKILL.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            await Exited.ConfigureAwait(false);
            return;
        }

        if (!Exited.IsCompleted)
        {
            using var rpcTimeout = new CancellationTokenSource(_shutdownGrace);
            try
            {
                var controller = new GRPCController.GRPCControllerClient(_channel);
                await controller.ShutdownAsync(new Empty(), cancellationToken: rpcTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The plugin usually stops inside the handler, so UNAVAILABLE here is the normal answer.
            }

            using var grace = new CancellationTokenSource(_shutdownGrace);
            try
            {
                await Exited.WaitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        await Exited.ConfigureAwait(false);
    }

    /// <summary>SIGKILLs the process (used after a failed launch and when the grace period ends).</summary>
    public void Kill()
    {
        Interlocked.Exchange(ref _stopRequested, 1);
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _channel.Dispose();
        _lifetime.Dispose();
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        _process.Dispose();
    }
}
