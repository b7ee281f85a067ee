using Xunit.Abstractions;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>A go-plugin host that makes no call for five minutes, as the agent does between evaluations of a slow
/// policy, keeps its connection and broker stream to our plugin, and its calls afterwards succeed. The broker stream is
/// a request body with nothing in it for minutes: a server that kept Kestrel's minimum request-body data rate for it
/// would abort it within seconds. In its own class so that xUnit runs it alongside the other interop tests, and in the
/// Integration category so that FastTest skips its five minutes.</summary>
[Trait("Category", "Integration")]
public sealed class GoHostIdleConnectionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Connection_and_broker_stream_survive_five_idle_minutes_and_later_calls_succeed()
    {
        var plugin = GoInteropBinaries.OurNoopPluginPath("target");
        if (!IntegrationGate.HasExecutables(output, GoInteropBinaries.HostPath, plugin)) return;

        var arguments = GoHost.Arguments(plugin, "target", "count=5", expectName: "noop-target");
        arguments.AddRange(["-idle", $"{Idle.TotalSeconds}s"]);
        var run = await GoHost.RunAsync(arguments, CancellationToken.None, Idle + GoHost.RunTimeout);

        run.AssertSucceeded();
        Assert.Equal(
            ["Launch", "Dispense", "Ping", "PluginInfo", "SetConfig", "Idle", "BrokerAfterIdle", "PingAfterIdle",
                "Status", "Scale", "StatusAfterScale", "ScaleNoop", "Kill", "PluginLogs"],
            run.Methods);
        Assert.True(run.Response("Idle").GetProperty("idle_ms").GetDouble() >= Idle.TotalMilliseconds, run.Describe());
        Assert.Equal("READY", run.Response("Idle").GetProperty("state").GetString());
        Assert.Equal(5, run.Response("Status").GetProperty("count").GetInt64());
        Assert.Equal(6, run.Response("StatusAfterScale").GetProperty("count").GetInt64());
        Assert.False(run.Response("Kill").GetProperty("forced").GetBoolean());
    }
}
