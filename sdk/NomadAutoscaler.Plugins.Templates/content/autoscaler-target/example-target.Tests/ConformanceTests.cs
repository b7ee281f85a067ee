using System.Reflection;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Testing;
using Xunit;

namespace ExampleTargetPlugin.Tests;

/// <summary>Runs the SDK's conformance kit on the plugin executable: the checks a go-plugin host relies on
/// (cookie, handshake, socket, health, PluginInfo, SetConfig, the target RPC, shutdown, logging).</summary>
public sealed class ConformanceTests
{
    /// <summary>The built plugin, or the file named by PLUGIN_EXECUTABLE (set it to check a published file).</summary>
    private static string PluginExecutable =>
        Environment.GetEnvironmentVariable("PLUGIN_EXECUTABLE") is { Length: > 0 } path
            ? path
            : typeof(ConformanceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PluginExecutable").Value!;

    [Fact]
    public async Task Plugin_passes_the_conformance_kit()
    {
        var report = await PluginConformance.RunAsync(
            PluginExecutable,
            PluginKind.Target,
            new Dictionary<string, string> { ["max_count"] = "10" },   // a config that SetConfig must accept
            new ConformanceOptions { HandshakeTimeout = TimeSpan.FromSeconds(30) },
            CancellationToken.None);

        Assert.True(report.Passed, report.ToString());
    }
}
