using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;
using static NomadAutoscaler.Plugins.Nomad.Tests.ScaleInWorkload;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>Safe cluster scale-in through the real agent and a real plugin process (the pool-target stand-in on the SDK
/// cluster helpers) against the Nomad simulator: the fit check and do-not-disrupt keep nodes, the reason reaches the
/// decision history, a scale-out reclaims a drain instead of booting, and an agent killed mid-drain leaves nothing
/// ineligible after its restart.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ScaleInEndToEndTests : IAsyncLifetime
{
    // Fixed IDs make the simulator's best-fit placement predictable (ties go to the smallest ID).
    private const string W1 = "20000000-0000-4000-8000-000000000001";
    private const string W2 = "20000000-0000-4000-8000-000000000002";
    private const string W3 = "20000000-0000-4000-8000-000000000003";
    private const string Spare = "20000000-0000-4000-8000-000000000009";

    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-scalein-").FullName;
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(100), AllocStopDelay = TimeSpan.FromMilliseconds(100), TickInterval = TimeSpan.FromMilliseconds(100) };
        options.Nodes.Add(Node(W1, "w1", "wrk", "a"));
        options.Nodes.Add(Node(W2, "w2", "wrk", "b"));
        options.Nodes.Add(Node(W3, "w3", "wrk", "c"));
        options.Nodes.Add(Node(Spare, "spare", "other", "c"));
        _nomad = await _simulator.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task WaitRunningAsync(params string[] jobs)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!jobs.All(j => _simulator.GetRunningCount(j, j) == 1))
        {
            Assert.False(timeout.IsCancellationRequested, "jobs did not start: " + string.Join(", ", jobs));
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private SimulatorNodeInfo? NodeInfo(string id) => _simulator.GetNodes().SingleOrDefault(n => n.Id == id);

    /// <summary>An agent config with one file policy: fixed-value <paramref name="count"/> on the wrk pool.</summary>
    private async Task<string> ConfigAsync(int count, string strategy, string cooldown = "1s", string extraTargetKeys = "")
    {
        var plugins = Path.Combine(_dir, "plugins");
        if (!Directory.Exists(plugins))
        {
            Directory.CreateDirectory(plugins);
            foreach (var plugin in Directory.GetFiles(Path.Combine(AgentProcess.AgentDirectory, "plugins")).Where(f => Path.GetExtension(f).Length == 0))
                File.CreateSymbolicLink(Path.Combine(plugins, Path.GetFileName(plugin)), plugin);
            File.CreateSymbolicLink(Path.Combine(plugins, "pool-target"), Path.Combine(AgentProcess.RepoRoot, "artifacts", "bin", "pool-target", "debug", "pool-target"));
        }

        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "pool.hcl"), $$"""
            scaling "pool" {
              enabled = true
              min     = 0
              max     = 5
              policy {
                evaluation_interval = "1s"
                cooldown            = "{{cooldown}}"
                check "fixed" {
                  strategy "fixed-value" { value = {{count}} }
                }
                target "pool" {
                  node_class             = "wrk"
                  node_selector_strategy = "{{strategy}}"
                  node_drain_deadline    = "1h"
                  {{extraTargetKeys}}
                }
              }
            }
            """);
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{plugins}}"
            log_level  = "debug"
            policy {
              dir = "{{policies}}"
              source "nomad" { enabled = false }
            }
            target "pool" {
              driver = "pool-target"
              config = {
                boot_log = "{{Path.Combine(_dir, "boot.log")}}"
              }
            }
            """);
        return config;
    }

    [Fact]
    public async Task Scale_in_to_zero_removes_only_the_node_whose_work_fits_elsewhere_and_reports_why_the_rest_stay()
    {
        // batch-7 (900 MHz, slot a or c) lands on w1, web (400, slot c) on w3, db (200, do-not-disrupt) on w2.
        _simulator.RegisterJob(Job("batch-7", "batch", 900, "^(a|c)$"));
        _simulator.RegisterJob(Job("web", "service", 400, "^c$"));
        _simulator.RegisterJob(Job("db", "service", 200, "^b$", new() { ["nomad_autoscaler.do_not_disrupt"] = "true" }));
        await WaitRunningAsync("batch-7", "web", "db");

        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(0, "least_busy"));
        await agent.WaitForLogAsync(l => l.Contains("target reported no scaling needed", StringComparison.Ordinal), "a scale-in the rules block", TimeSpan.FromSeconds(90));

        // w3 went (web moved to spare and w3 was purged); nothing else was drained or disturbed.
        Assert.Null(NodeInfo(W3));
        Assert.Equal("eligible", NodeInfo(W1)!.SchedulingEligibility);
        Assert.Equal("eligible", NodeInfo(W2)!.SchedulingEligibility);
        Assert.False(NodeInfo(W1)!.Draining || NodeInfo(W2)!.Draining);
        Assert.Equal(1, _simulator.GetRunningCount("batch-7", "batch-7"));
        Assert.Equal(1, _simulator.GetRunningCount("db", "db"));
        Assert.Equal(1, _simulator.GetRunningCount("web", "web"));
        // The agent re-logs a plugin's hclog pairs in key order (@module and reason come before the counts).
        Assert.Contains(agent.Lines, l => l.Contains("scale-in limited: ", StringComparison.Ordinal)
            && l.Contains(" requested=3 selected=1", StringComparison.Ordinal));

        using var http = new HttpClient { BaseAddress = agent.Http };
        var list = await http.GetFromJsonAsync<JsonObject>("v1/policies");
        var id = (string)list!["policies"]!.AsArray().Single(p => (string)p!["name"]! == "pool")!["id"]!;
        var detail = await http.GetFromJsonAsync<JsonObject>($"v1/policy/{id}");
        var noOp = detail!["decisions"]!.AsArray().First(d => (string)d!["outcome"]! == "target_no_op")!;
        var reason = (string)noOp["reason"]!;
        Assert.StartsWith("scale-in limited to 0 of 2: ", reason, StringComparison.Ordinal);
        Assert.Contains($"job db on node {W2} has nomad_autoscaler.do_not_disrupt=true", reason, StringComparison.Ordinal);
        Assert.Contains($"allocations of job batch-7 on node {W1} fit nowhere else", reason, StringComparison.Ordinal);
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_allocation_landing_between_selection_and_marking_ineligible_keeps_its_node()
    {
        // Upstream #571: empty_ignore_system picks an empty node; before the agent marks it ineligible, the scheduler
        // places a batch job there. The simulator plays that moment: the job is registered (and placed, on the only
        // node its slot allows) just before the agent's first eligibility call reaches the cluster.
        var slots = new Dictionary<string, string> { [W1] = "^a$", [W2] = "^b$", [W3] = "^c$" };
        string? chosen = null;
        _simulator.Faults.BeforeFirst("PUT", "/v1/node/", path =>
        {
            chosen = path.Split('/')[3];
            _simulator.RegisterJob(Job("late-batch", "batch", 100, slots[chosen]));
        });

        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(2, "empty_ignore_system", cooldown: "1h"));
        await agent.WaitForLogAsync(l => l.Contains("target reported no scaling needed", StringComparison.Ordinal), "the scale-in the re-check stops", TimeSpan.FromSeconds(90));

        Assert.NotNull(chosen);
        Assert.Contains(agent.Lines, l => l.Contains($"an allocation landed on node {chosen} between selection and marking it ineligible", StringComparison.Ordinal));
        await WaitRunningAsync("late-batch");
        var node = NodeInfo(chosen!);
        Assert.NotNull(node);
        Assert.Equal("eligible", node.SchedulingEligibility);
        Assert.False(node.Draining);
        Assert.False(File.Exists(Path.Combine(_dir, "boot.log")), "a server was booted");
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Starts a scale-in of w1 whose batch job keeps the drain open (one-hour deadline), then kills the agent.</summary>
    private async Task KillAgentMidDrainAsync()
    {
        // long-batch (100 MHz) lands on w1 (smallest ID); oldest_create_index picks w1, whose job fits elsewhere.
        _simulator.RegisterJob(Job("long-batch", "batch", 100, "^(a|b|c)$"));
        await WaitRunningAsync("long-batch");
        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(2, "oldest_create_index"));
        await agent.WaitUntilAsync(() => NodeInfo(W1)!.Draining, "w1 to drain", TimeSpan.FromSeconds(90));
        await agent.KillAsync();
        Assert.Equal("ineligible", NodeInfo(W1)!.SchedulingEligibility);
    }

    [Fact]
    public async Task A_restarted_agent_shows_the_pools_scale_in_its_predecessor_made_read_back_from_the_variable()
    {
        var config = await ConfigAsync(2, "least_busy");
        await using (var first = AgentProcess.Start("agent", "-config", config))
        {
            await first.WaitForLogAsync(l => l.Contains("successfully submitted scaling action to target", StringComparison.Ordinal), "the scale-in", TimeSpan.FromSeconds(90));
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(10)));
        }

        // Same files, so the same policy ID; the pool is at 2, so all the second agent can show is the first one's step.
        await using var second = AgentProcess.Start("agent", "-config", config);
        var history = await second.WaitForScalingHistoryAsync("pool", TimeSpan.FromSeconds(60));

        var step = Assert.Single(history)!.AsObject();
        Assert.True((bool)step["restored"]!);
        Assert.Equal(3, (long)step["from"]!);
        Assert.Equal(2, (long)step["to"]!);
        Assert.Equal(2, _simulator.GetNodes().Count(n => n.NodeClass == "wrk"));
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_drain_left_by_a_killed_agent_uses_up_max_draining_so_its_successor_drains_nothing_more()
    {
        await KillAgentMidDrainAsync();

        // The successor wants 1 of the 3 (w1 still drains): the budget of one draining node is spent on w1.
        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(1, "oldest_create_index",
            extraTargetKeys: "max_draining = \"1\"\n                  node_filter_ignore_drain = true"));
        await agent.WaitForLogAsync(l => l.Contains("target reported no scaling needed", StringComparison.Ordinal), "a scale-in the budget blocks", TimeSpan.FromSeconds(90));

        Assert.Contains(agent.Lines, l => l.Contains("max_draining=1 allows 0 more draining node(s) in a pool of 3 with 1 draining", StringComparison.Ordinal));
        Assert.True(NodeInfo(W1)!.Draining);
        foreach (var id in new[] { W2, W3 })
        {
            Assert.False(NodeInfo(id)!.Draining);
            Assert.Equal("eligible", NodeInfo(id)!.SchedulingEligibility);
        }

        Assert.Equal(1, _simulator.GetRunningCount("long-batch", "long-batch"));
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_scale_out_while_a_node_drains_cancels_the_drain_and_boots_nothing()
    {
        await KillAgentMidDrainAsync();

        // The pool counts 3 (w1 still drains); a scale-out to 4 reclaims w1 instead of booting.
        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(4, "oldest_create_index", cooldown: "1h"));
        await agent.WaitForLogAsync(l => l.Contains("successfully submitted scaling action to target", StringComparison.Ordinal), "the scale-out", TimeSpan.FromSeconds(90));

        Assert.Contains(agent.Lines, l => l.Contains("cancelled scale-in drain instead of booting a server", StringComparison.Ordinal) && l.Contains(W1, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_dir, "boot.log")), "a server was booted");
        Assert.False(NodeInfo(W1)!.Draining);
        Assert.Equal("eligible", NodeInfo(W1)!.SchedulingEligibility);
        Assert.Equal(1, _simulator.GetRunningCount("long-batch", "long-batch"));
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_agent_killed_mid_drain_leaves_nothing_ineligible_after_its_restart()
    {
        await KillAgentMidDrainAsync();
        // With no agent left to delete it, the drain finishes and would leave w1 ineligible for ever upstream.
        _simulator.CompleteAllocations("long-batch");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (NodeInfo(W1)!.Draining)
            {
                Assert.False(timeout.IsCancellationRequested, "w1's drain did not finish");
                await Task.Delay(50, CancellationToken.None);
            }
        }

        Assert.Equal("ineligible", NodeInfo(W1)!.SchedulingEligibility);

        // The restarted agent's policy wants the pool as it is (3): no scale, only drain hygiene on status.
        await using var agent = AgentProcess.Start("agent", "-config", await ConfigAsync(3, "oldest_create_index"));
        // The log line follows the Nomad update, so waiting on it (not on the node) leaves no race between the two.
        await agent.WaitForLogAsync(l => l.Contains("restored eligibility of node left behind by an earlier scale-in", StringComparison.Ordinal) && l.Contains(W1, StringComparison.Ordinal),
            "w1's eligibility restored", TimeSpan.FromSeconds(90));
        Assert.Equal("eligible", NodeInfo(W1)!.SchedulingEligibility);
        Assert.All(_simulator.GetNodes(), n => Assert.Equal("eligible", n.SchedulingEligibility));
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }
}
