using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>The other transports of the handshake: TCP, and AutoMTLS over unix sockets and TCP.</summary>
public class TransportTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Tcp_and_auto_mtls_connections_work(bool tcp, bool autoMtls)
    {
        using var dir = new PluginDirectory();
        var env = "export NOMAD_AUTOSCALER_PLUGIN_TRANSPORT=" + (tcp ? "tcp" : "unix") + "\n";
        // Records what the plugin was given, to prove which transport and TLS mode were used.
        var probe = System.IO.Path.Combine(dir.Path, "env.txt");
        env += $"echo \"cert=${{PLUGIN_CLIENT_CERT:+present}}\" > '{probe}'\n";
        dir.AddNoop("noop-apm", environment: env);
        var logs = new CapturingLoggerFactory();
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = dir.Path, StartTimeout = TimeSpan.FromSeconds(30), AutoMtls = autoMtls }, logs);
        await manager.StartAsync([new PluginBlock(PluginKind.Apm, "noop-apm", "noop-apm", [], new Dictionary<string, string> { ["value"] = "4" })], CancellationToken.None);
        var point = Assert.Single(await manager.GetApm("noop-apm").QueryAsync(new ApmQuery("q", From, From), CancellationToken.None));
        Assert.Equal(4, point.Value);
        Assert.Equal(autoMtls ? "cert=present" : "cert=", (await File.ReadAllTextAsync(probe)).Trim());
        var started = Assert.Single(logs.For("external_plugin.noop-apm"), e => e.Message == "plugin started");
        Assert.Equal(tcp ? "tcp" : "unix", started["network"]);
        Assert.Equal(autoMtls, started["tls"]);
        if (tcp) Assert.StartsWith("127.0.0.1:", (string)started["address"]!, StringComparison.Ordinal);
        else Assert.StartsWith(manager.SocketDirectory, (string)started["address"]!, StringComparison.Ordinal);
    }
}
