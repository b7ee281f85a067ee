using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>Replaces the console lifetime: SIGTERM stops the plugin cleanly, SIGINT is ignored. A terminal's Ctrl-C goes
/// to the whole process group, and the agent must decide when its plugins stop (via Shutdown or Kill).</summary>
internal sealed class PluginHostLifetime(IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private PosixSignalRegistration? _sigterm;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            lifetime.StopApplication();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _sigterm?.Dispose();
}
