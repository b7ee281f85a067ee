using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;
using Xunit.Abstractions;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>
/// Three real agents in HA mode against the Nomad simulator, each reaching Nomad through its own
/// <see cref="BlockingProxy"/> (which also tells which agent sent each scale request). The job's policy is a
/// fixed-value strategy, so each change of the value the test makes must produce exactly one accepted scale
/// request: none lost, none duplicated, and every one from the agent that held the lock at the time.
/// Lock TTL 10s (Nomad's minimum), lock delay 1s, evaluation interval 1s.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class HighAvailabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Acquired = "acquired lock, this agent is the leader";
    private const string DeadlinePassed = "lock not renewed before its deadline, stopped evaluating policies";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LockDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan EvaluationInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StandbyRetry = Ttl / 4;
    // Three agents starting their plugins on a busy 2-core machine have taken 40s before their first acquire.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-ha-").FullName;
    private readonly List<Member> _members = [];
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(200), NodeInitializeDelay = TimeSpan.FromMilliseconds(200) };
        for (var i = 1; i <= 2; i++) options.Nodes.Add(new SimulatorNodeSpec { Name = $"web-{i}", NodeClass = "web", Cpu = 8000, MemoryMB = 16384 });
        options.Jobs.Add(Job(count: 1, value: 3).ToJsonString());
        _nomad = await _simulator.StartAsync(options);
    }

    [Fact]
    public async Task Killing_the_leader_hands_over_to_a_standby_that_honours_the_old_leaders_cooldown()
    {
        var cooldown = TimeSpan.FromSeconds(30);
        _simulator.RegisterJob(Job(count: 1, value: 3, cooldown).ToJsonString());
        var leader = await StartAgentsAndElectAsync();
        await WaitForCountAsync(3);
        // The leader hands the cooldown on through a Nomad variable as well as through the job's scaling events.
        var recorded = await RecordedCooldownAsync();
        Assert.InRange(recorded - (_simulator.ScaleEvents[0].Time + cooldown), TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));

        var clock = Stopwatch.StartNew();
        await leader.Process.KillAsync();
        _simulator.RegisterJob(Job(count: 3, value: 5, cooldown).ToJsonString());
        var next = await WaitForNewLeaderAsync(leader);
        var takeover = clock.Elapsed;
        await WaitForCountAsync(5);
        var events = _simulator.ScaleEvents;
        output.WriteLine($"kill -9 → new leader {takeover.TotalSeconds:F1}s, → its scale {clock.Elapsed.TotalSeconds:F1}s, {(events[^1].Time - events[0].Time).TotalSeconds:F1}s after the old leader's");

        // Nomad frees a lock 2×TTL + delay after the last renew it saw; the standby then needs one retry period to
        // notice. The extra 5s absorbs process scheduling on a loaded machine.
        Assert.True(takeover < (2 * Ttl) + LockDelay + StandbyRetry + TimeSpan.FromSeconds(5), $"took {takeover}");
        AssertScales((3, leader), (5, next));
        // Handover: the new leader learnt the cooldown from the job's last scaling event, not from the dead leader.
        Assert.True(events[1].Time - events[0].Time >= cooldown, $"scaled {events[1].Time - events[0].Time} after the previous scale");
        Assert.Contains(next.Process.Lines, l => l.Contains("skipping scaling, policy still on cooldown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Clean_shutdown_of_the_leader_releases_the_lock_so_a_standby_takes_over_without_waiting_for_the_ttl()
    {
        var leader = await StartAgentsAndElectAsync();
        await WaitForCountAsync(3);

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await leader.Process.TerminateAsync(Patience));
        Assert.Contains(leader.Process.Lines, l => l.Contains("agent.ha: released lock", StringComparison.Ordinal));
        _simulator.RegisterJob(Job(count: 3, value: 5).ToJsonString());
        var next = await WaitForNewLeaderAsync(leader);
        var takeover = clock.Elapsed;
        await WaitForCountAsync(5);
        output.WriteLine($"SIGTERM → new leader {takeover.TotalSeconds:F1}s");

        // A released lock is free at once (no TTL, no delay): one standby retry period, plus the leader's shutdown.
        Assert.True(takeover < Ttl, $"took {takeover}");
        AssertScales((3, leader), (5, next));
    }

    [Fact]
    public async Task Partitioned_leader_stops_acting_before_the_new_leader_starts()
    {
        var leader = await StartAgentsAndElectAsync();
        await WaitForCountAsync(3);

        var clock = Stopwatch.StartNew();
        leader.Proxy.Partition();
        // The deposed leader sees this change too, and would scale for it if it kept acting.
        _simulator.RegisterJob(Job(count: 3, value: 5).ToJsonString());
        await leader.Process.WaitForLogAsync(l => l.Contains(DeadlinePassed, StringComparison.Ordinal), "old leader stops at its deadline", Patience);
        var stopped = clock.Elapsed;
        Assert.DoesNotContain(_members, m => m != leader && m.Acquisitions > 0);
        var next = await WaitForNewLeaderAsync(leader);
        var started = clock.Elapsed;
        output.WriteLine($"partition → old leader stopped {stopped.TotalSeconds:F1}s, new leader {started.TotalSeconds:F1}s");
        Assert.True(stopped < Ttl, $"the old leader only stopped after {stopped}");
        await WaitForCountAsync(5);

        leader.Proxy.Heal();
        var retries = leader.Count("lock held by another agent");
        await leader.Process.WaitForLogAsync(_ => leader.Count("lock held by another agent") > retries, "old leader back in touch, as a standby", Patience);
        _simulator.RegisterJob(Job(count: 5, value: 7).ToJsonString());
        await WaitForCountAsync(7);

        Assert.Equal(1, leader.Acquisitions);
        Assert.DoesNotContain(_simulator.ScaleRequestLog.Skip(1), r => leader.Proxy.Carried(r.Client));
        AssertScales((3, leader), (5, next), (7, next));
    }

    [Fact]
    public async Task Lock_service_error_storm_keeps_every_agent_alive_and_nobody_acts_until_it_ends()
    {
        var leader = await StartAgentsAndElectAsync();
        await WaitForCountAsync(3);

        _simulator.Faults.Fail("/v1/var/", 500);
        await leader.Process.WaitForLogAsync(l => l.Contains(DeadlinePassed, StringComparison.Ordinal), "leader stops when it cannot renew", Patience);
        Assert.Contains(leader.Process.Lines, l => l.Contains("failed to renew lock, retrying", StringComparison.Ordinal) && l.Contains("500", StringComparison.Ordinal));
        _simulator.RegisterJob(Job(count: 3, value: 5).ToJsonString());
        // Every agent goes on trying through the storm (each at least twice more after the change) instead of exiting.
        var before = _members.ToDictionary(m => m, m => m.Count("failed to acquire lock, retrying"));
        foreach (var member in _members)
            await member.Process.WaitForLogAsync(_ => member.Count("failed to acquire lock, retrying") >= before[member] + 2, $"{member.Name} retries", Patience);
        Assert.Equal(3, _simulator.GetDesiredCount("web", "web"));
        Assert.Single(_simulator.ScaleEvents);

        _simulator.Faults.Clear();
        var next = await WaitForAsync(() => _members.FirstOrDefault(m => m.Acquisitions > (m == leader ? 1 : 0)), "a leader after the storm");
        await WaitForCountAsync(5);

        Assert.All(_members, m => Assert.False(m.Process.HasExited, $"{m.Name} exited\n{m.Process.Log}"));
        Assert.Equal(2, _members.Sum(m => m.Acquisitions));
        AssertScales((3, leader), (5, next));
    }

    private async Task<Member> StartAgentsAndElectAsync()
    {
        for (var i = 1; i <= 3; i++)
        {
            var proxy = new BlockingProxy(_nomad);
            var config = Path.Combine(_dir, $"agent-{i}.hcl");
            await File.WriteAllTextAsync(config, $$"""
                nomad { address = "{{proxy.Address.ToString().TrimEnd('/')}}" }
                plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
                log_level = "debug"
                http { bind_port = {{FreePort()}} }
                high_availability {
                  enabled    = true
                  lock_ttl   = "{{(int)Ttl.TotalSeconds}}s"
                  lock_delay = "{{(int)LockDelay.TotalSeconds}}s"
                }
                """);
            _members.Add(new Member($"agent-{i}", AgentProcess.Start("agent", "-config", config), proxy));
        }

        foreach (var member in _members)
            await member.Process.WaitForLogAsync(l => l.Contains("running in HA mode", StringComparison.Ordinal), $"{member.Name} in HA mode", Patience);
        var leader = await WaitForAsync(() => _members.FirstOrDefault(m => m.Acquisitions > 0), "a first leader");
        Assert.Single(_members, m => m.Acquisitions > 0);
        return leader;
    }

    /// <summary>The single cooldown deadline in the HA state variable, once the leader has written it.</summary>
    private async Task<DateTimeOffset> RecordedCooldownAsync()
    {
        using var http = new HttpClient { BaseAddress = _nomad };
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            using var response = await http.GetAsync(new Uri("/v1/var/nomad-autoscaler/lock/state", UriKind.Relative), CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["Items"]!.AsObject();
                var (_, value) = Assert.Single(items);
                return DateTimeOffset.Parse(value!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            }

            if (cts.IsCancellationRequested) Assert.Fail($"no HA state variable ({response.StatusCode})\n{Logs()}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private Task<Member> WaitForNewLeaderAsync(Member old) =>
        WaitForAsync(() => _members.FirstOrDefault(m => m != old && m.Acquisitions > 0), "a standby taking over");

    private Task WaitForCountAsync(long count) =>
        WaitForAsync(() => _simulator.GetDesiredCount("web", "web") == count ? (object)true : null, $"task group count {count}");

    private async Task<T> WaitForAsync<T>(Func<T?> probe, string what) where T : class
    {
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            if (probe() is { } found) return found;
            if (cts.IsCancellationRequested) Assert.Fail($"timed out waiting for: {what}\n{Logs()}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>The accepted scale requests must be exactly these, in order, each sent by the given agent.</summary>
    private void AssertScales(params (long Count, Member By)[] expected)
    {
        var events = _simulator.ScaleEvents;
        var actual = events.Select(e => (e.Count, By: _members.SingleOrDefault(m => m.Proxy.Carried(e.Client))?.Name ?? e.Client)).ToList();
        Assert.True(expected.Select(e => ((long?)e.Count, e.By.Name)).SequenceEqual(actual),
            $"expected {string.Join(", ", expected.Select(e => $"{e.Count} by {e.By.Name}"))}; got {string.Join(", ", actual.Select(a => $"{a.Count} by {a.By}"))}\n{Logs()}");
    }

    private string Logs() => string.Join("\n", _members.Select(m => $"--- {m.Name}\n{m.Process.Log}"));

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static JsonObject Job(long count, long value, TimeSpan? cooldown = null)
    {
        var policy = new JsonObject
        {
            ["cooldown"] = $"{(int)(cooldown ?? TimeSpan.FromSeconds(1)).TotalSeconds}s",
            ["evaluation_interval"] = $"{(int)EvaluationInterval.TotalSeconds}s",
            ["check"] = new JsonArray(new JsonObject
            {
                ["fixed"] = new JsonArray(new JsonObject
                {
                    ["strategy"] = new JsonArray(new JsonObject { ["fixed-value"] = new JsonArray(new JsonObject { ["value"] = value }) }),
                }),
            }),
        };
        var group = new JsonObject
        {
            ["Name"] = "web",
            ["Count"] = count,
            ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Driver"] = "docker", ["Resources"] = new JsonObject { ["CPU"] = 100, ["MemoryMB"] = 64 } }),
            ["Scaling"] = new JsonObject { ["Min"] = 1, ["Max"] = 20, ["Enabled"] = true, ["Policy"] = policy },
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
        foreach (var member in _members)
        {
            output.WriteLine($"--- {member.Name}\n{member.Process.Log}");
            await member.Process.DisposeAsync();
            await member.Proxy.DisposeAsync();
        }

        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed record Member(string Name, AgentProcess Process, BlockingProxy Proxy)
    {
        public int Acquisitions => Count(Acquired);

        public int Count(string text) => Process.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));
    }
}
