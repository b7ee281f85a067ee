using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The real agent binary and real plugin executables against the Nomad simulator: a job's task group scales
/// out under load and back in after it, through nomad-apm, target-value and nomad-target.</summary>
[Trait("Category", "EndToEnd")]
public sealed class HorizontalScalingTests : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-agent-").FullName;
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(200), NodeInitializeDelay = TimeSpan.FromMilliseconds(200) };
        for (var i = 1; i <= 3; i++) options.Nodes.Add(new SimulatorNodeSpec { Name = $"web-{i}", NodeClass = "web", Cpu = 4000, MemoryMB = 8192 });
        options.Jobs.Add(WebJob().ToJsonString());
        _nomad = await _simulator.StartAsync(options);
    }

    [Fact]
    public async Task Job_scales_out_under_load_and_in_after_it()
    {
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            log_level = "debug"
            """);
        _simulator.SetLoad("web", cpuMhz: 3000);

        await using var agent = AgentProcess.Start("agent", "-config", config);
        await agent.WaitUntilAsync(() => _simulator.GetDesiredCount("web", "web") > 2, "scale out under load", TimeSpan.FromSeconds(120));
        Assert.Contains(agent.Lines, l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("reason=\"scaling up because factor is", StringComparison.Ordinal));
        var peak = _simulator.GetDesiredCount("web", "web")!.Value;
        Assert.InRange(peak, 3, 10);

        _simulator.SetLoad("web", cpuMhz: 200);
        await agent.WaitUntilAsync(() => _simulator.GetDesiredCount("web", "web") < peak, "scale in after the load drops", TimeSpan.FromSeconds(120));
        Assert.All(_simulator.ScaleEvents, e => Assert.True(e.Accepted));

        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(agent.Lines, l => l.Contains("caught signal: signal=terminated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restarted_agent_shows_the_scale_out_its_predecessor_made_read_back_from_nomad()
    {
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            """);
        _simulator.SetLoad("web", cpuMhz: 3000);
        long peak;
        await using (var first = AgentProcess.Start("agent", "-config", config))
        {
            await first.WaitUntilAsync(() => _simulator.GetDesiredCount("web", "web") > 2, "scale out under load", TimeSpan.FromSeconds(120));
            peak = _simulator.GetDesiredCount("web", "web")!.Value;
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(10)));
        }

        // The load stays where it was, so the second agent has nothing to decide: what it shows is the first one's.
        await using var second = AgentProcess.Start("agent", "-config", config);
        var history = await second.WaitForScalingHistoryAsync(null, TimeSpan.FromSeconds(60));

        // The oldest restored step is the first scale-out, from the job's count of 2.
        var restored = history.Select(d => d!.AsObject()).Last(d => (bool)d["restored"]!);
        Assert.Equal(2, (long)restored["from"]!);
        Assert.StartsWith("scaling up because factor is", (string)restored["reason"]!, StringComparison.Ordinal);
        Assert.InRange((long)restored["to"]!, 3, peak);
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Broken_config_is_reported_with_its_location_and_exit_code_1()
    {
        var config = Path.Combine(_dir, "broken.hcl");
        await File.WriteAllTextAsync(config, "nomad {\n  adress = \"http://127.0.0.1:1\"\n}\n");

        await using var agent = AgentProcess.Start("agent", "-config", config);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!agent.HasExited && !cts.IsCancellationRequested) await Task.Delay(100, CancellationToken.None);

        Assert.True(agent.HasExited, agent.Log);
        Assert.Contains("broken.hcl:2", agent.Log, StringComparison.Ordinal);
        Assert.Contains("address", agent.Log, StringComparison.Ordinal);
    }

    private static JsonObject WebJob()
    {
        var policy = new JsonObject
        {
            ["cooldown"] = "2s",
            ["evaluation_interval"] = "2s",
            ["check"] = new JsonArray(new JsonObject
            {
                ["cpu"] = new JsonArray(new JsonObject
                {
                    ["source"] = "nomad-apm",
                    ["query"] = "avg_cpu",
                    ["strategy"] = new JsonArray(new JsonObject { ["target-value"] = new JsonArray(new JsonObject { ["target"] = 70.0 }) }),
                }),
            }),
        };
        var group = new JsonObject
        {
            ["Name"] = "web",
            ["Count"] = 2,
            ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Driver"] = "docker", ["Resources"] = new JsonObject { ["CPU"] = 500, ["MemoryMB"] = 256 } }),
            ["Scaling"] = new JsonObject { ["Min"] = 1, ["Max"] = 10, ["Enabled"] = true, ["Policy"] = policy },
        };
        return new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = "web", ["Name"] = "web", ["Namespace"] = "default", ["Type"] = "service",
                ["Datacenters"] = new JsonArray("dc1"), ["TaskGroups"] = new JsonArray(group),
            },
        };
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
