using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Prometheus.Tests;
using NomadAutoscaler.Simulator;
using Xunit.Abstractions;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>docs/scale-to-zero.md's job example, end to end: a task group at count 0 is scaled up from zero when its
/// work queue fills and back to zero when the queue is empty, by the real agent with the prometheus APM against the
/// real Prometheus (tests/infra/prometheus/up.sh) and nomad-target against the simulator.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "EndToEnd")]
public sealed class ScaleFromZeroTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-zero-").FullName;
    private readonly string _id = "zero-" + Guid.NewGuid().ToString("N")[..8];
    private WebApplication? _queue;
    private volatile int _depth;
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(200) };
        options.Nodes.Add(new SimulatorNodeSpec { Name = "node-1", Cpu = 8000, MemoryMB = 16384 });
        options.Jobs.Add(WorkerJob().ToJsonString());
        _nomad = await _simulator.StartAsync(options);
    }

    /// <summary>The application's own metric, as a queue's exporter would serve it; Prometheus's scrape path for test
    /// targets is fixed, so it is served there.</summary>
    private async Task<Uri> StartQueueExporterAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        _queue = builder.Build();
        _queue.Run(context => context.Response.WriteAsync(
            "# TYPE work_queue_depth gauge\nwork_queue_depth " + _depth.ToString(CultureInfo.InvariantCulture) + "\n", context.RequestAborted));
        await _queue.StartAsync();
        return new Uri(_queue.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [Fact]
    public async Task A_task_group_scales_from_zero_on_queued_work_and_back_to_zero_when_idle()
    {
        var prometheus = await PrometheusServer.FindAsync(output);
        if (prometheus is null) return;
        using var scrape = prometheus.Scrape(await StartQueueExporterAsync(), _id);
        await prometheus.WaitUntilAsync($"sum(work_queue_depth{{sim=\"{_id}\"}})", v => v == 0, TimeSpan.FromSeconds(30));

        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            apm "prometheus" {
              driver = "prometheus"
              config = {
                address = "{{prometheus.Address.ToString().TrimEnd('/')}}"
              }
            }
            """);
        await using var agent = AgentProcess.Start("agent", "-config", config);

        // Idle at zero: the "idle" tier votes for 0, which is the current count, so nothing is scaled.
        await agent.WaitForLogAsync(l => l.Contains("skipping scaling, no action needed", StringComparison.Ordinal), "an idle evaluation at count 0", TimeSpan.FromSeconds(90));
        Assert.Equal(0, _simulator.GetDesiredCount("worker", "worker"));

        _depth = 7;
        await agent.WaitUntilAsync(() => _simulator.GetDesiredCount("worker", "worker") == 2, "scale from 0 to 2 on queued work", TimeSpan.FromSeconds(90));
        await agent.WaitUntilAsync(() => _simulator.GetRunningCount("worker", "worker") == 2, "2 workers running", TimeSpan.FromSeconds(90));

        _depth = 0;
        await agent.WaitUntilAsync(() => _simulator.GetDesiredCount("worker", "worker") == 0, "scale back to 0 when the queue is empty", TimeSpan.FromSeconds(90));
        Assert.Equal([2L, 0L], _simulator.ScaleEvents.Select(e => e.Count ?? -1));
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(5)));
    }

    private JsonObject WorkerJob()
    {
        JsonObject Tier(string name, string bound, double boundValue, int value) => new()
        {
            [name] = new JsonArray(new JsonObject
            {
                ["source"] = "prometheus",
                ["query"] = $"sum(work_queue_depth{{sim=\"{_id}\"}})",
                ["query_window"] = "instant",
                ["group"] = "queue",
                ["strategy"] = new JsonArray(new JsonObject
                {
                    ["threshold"] = new JsonArray(new JsonObject { [bound] = boundValue, ["value"] = value, ["within_bounds_trigger"] = 1 }),
                }),
            }),
        };
        var policy = new JsonObject
        {
            ["cooldown"] = "1s",
            ["evaluation_interval"] = "1s",
            ["check"] = new JsonArray(Tier("work_waiting", "lower_bound", 1, 2), Tier("idle", "upper_bound", 1, 0)),
        };
        var group = new JsonObject
        {
            ["Name"] = "worker",
            ["Count"] = 0,
            ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "worker", ["Driver"] = "docker", ["Resources"] = new JsonObject { ["CPU"] = 500, ["MemoryMB"] = 256 } }),
            ["Scaling"] = new JsonObject { ["Min"] = 0, ["Max"] = 5, ["Enabled"] = true, ["Policy"] = policy },
        };
        return new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = "worker", ["Name"] = "worker", ["Namespace"] = "default", ["Type"] = "service",
                ["Datacenters"] = new JsonArray("dc1"), ["TaskGroups"] = new JsonArray(group),
            },
        };
    }

    public async Task DisposeAsync()
    {
        if (_queue is not null) await _queue.DisposeAsync();
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
