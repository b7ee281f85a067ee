namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>One plugin process (debug logging) and one stub Prometheus shared by a test class.</summary>
public sealed class PluginProcessFixture : IAsyncLifetime
{
    private PluginProcess? _plugin;
    private StubPrometheusServer? _server;

    internal PluginProcess Plugin => _plugin!;

    internal StubPrometheusServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await StubPrometheusServer.StartAsync(Bodies.TwoSeriesMatrix);
        _plugin = await PluginProcess.StartAsync(logLevel: "debug");
    }

    public async Task DisposeAsync()
    {
        if (_plugin is not null) await _plugin.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}
