using System.Runtime.InteropServices;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>When the plugin process stops: on the host's Shutdown RPC or on SIGTERM. SIGINT is ignored, because a
/// terminal's Ctrl-C goes to the whole process group and the agent must decide when its plugins stop.</summary>
internal sealed class PluginHostLifetime : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public PluginHostLifetime()
    {
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            StopApplication();
        });
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
    }

    /// <summary>Cancelled once the plugin is asked to stop: long-lived streams end on it.</summary>
    public CancellationToken ApplicationStopping => _stopping.Token;

    public void StopApplication()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and torn down: a late SIGTERM has nothing left to stop.
        }
    }

    /// <summary>Completes when <see cref="StopApplication"/> has been called.</summary>
    public Task WaitForStopAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _stopping.Token.Register(() => stopped.TrySetResult());
        return stopped.Task;
    }

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _stopping.Dispose();
    }
}
