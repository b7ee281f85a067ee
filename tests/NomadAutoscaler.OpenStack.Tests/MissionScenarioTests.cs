using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using NomadAutoscaler.EndToEnd.Tests;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>
/// The mission, end to end: the real <c>nomad-autoscaler</c> binary runs the operator's agent config and worker-pool
/// policy (examples/seed, with auth, ids and the Nomad address pointed at loopback, and the intervals shortened) with the
/// real nomad-apm, target-value and os-nova executables. The Nomad simulator's cloud-join hook turns every ACTIVE Nova
/// server of the pool into a Nomad client, as the image's cloud-init would, so the whole loop is real: load,
/// nomad-apm, strategy, os-nova, Nova, new node, load spreads; and back in with drain.
/// </summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed partial class MissionScenarioTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-mission-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task MissionPolicy_BringsThePoolToMin_ScalesToMaxUnderLoad_GoesStepwiseWithMaxScaleUp_AndDrainsBeforeDeleting()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        using var bystander = new OpenStackClient(cloud.Member);
        var outsider = await bystander.Nova.CreateServerAsync(new NovaServerCreateRequest
        {
            // Same name prefix, no pool tag or metadata: os-nova must never count or touch it.
            Name = h.PoolName + "-outsider",
            ImageId = cloud.Id("OS_TEST_IMAGE_ID"),
            FlavorId = cloud.Id("OS_TEST_FLAVOR_ID"),
            NetworkIds = [cloud.Id("OS_TEST_NETWORK_ID")],
        });
        var witness = new DrainWitness(h);
        try
        {
            await using var proxy = await FaultProxy.StartAsync(new Uri(cloud.Id("OS_TEST_COMPUTE_URL")), witness.Observe);
            var config = WriteAgentConfig(h, cloud, proxy.Address);
            var policyFile = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName, "worker_pool_policy.hcl");
            await File.WriteAllTextAsync(policyFile, Policy(h, cloud, max: 2, maxScaleUp: null));

            await using var agent = AgentProcess.Start("agent", "-config", config, "-policy-dir", Path.GetDirectoryName(policyFile)!);
            try
            {
                // 0 -> 1: the count is below min, so it is corrected whatever the checks say (no pool nodes yet).
                await agent.WaitForLogAsync(l => ScalingLine(l, 0, 1) && l.Contains("reason=\"current count (0) below limit (1)\"", StringComparison.Ordinal),
                    "scaling target from=0 to=1 with the below-limit reason", StepTimeout);
                await agent.WaitForLogAsync(l => l.Contains("external_plugin.os-nova: discovered current microversion for compute, making it the used one: @module=os-nova microversion=", StringComparison.Ordinal),
                    "os-nova's microversion discovery line", StepTimeout);
                await agent.WaitForLogAsync(l => l.Contains($"external_plugin.os-nova: successfully performed and verified scaling out: @module=os-nova action=scale_out desired_count=1 pool_name={h.PoolName} ", StringComparison.Ordinal),
                    "os-nova's verified scale-out to 1", StepTimeout);
                await h.WaitForReadyNodesAsync(1);

                // Load: 8 x 500 MHz fill the node's 4000 MHz (100 % > 70 %): target-value asks for 2 = max.
                h.RegisterJob(8);
                await agent.WaitForLogAsync(l => ScalingLine(l, 1, 2) && l.Contains("reason=\"scaling up because factor is", StringComparison.Ordinal),
                    "scaling target from=1 to=2 under load", StepTimeout);
                await h.WaitForReadyNodesAsync(2);
                var servers = await h.ServersAsync();
                Assert.Equal(2, servers.Count);
                Assert.All(servers, s =>
                {
                    Assert.Contains(h.PoolTag, s.Tags);
                    Assert.Equal(h.PoolName, s.Metadata["na_pool"]);
                    Assert.Equal("az1", s.AvailabilityZone);
                    Assert.StartsWith("nom-", s.Name, StringComparison.Ordinal);
                });

                // Same policy, max 7 and max_scale_up = 1, under a load that wants far more than one node per step.
                await File.WriteAllTextAsync(policyFile, Policy(h, cloud, max: 7, maxScaleUp: 1));
                h.RegisterJob(40);
                for (var from = 2; from < 5; from++)
                {
                    var step = from;
                    await agent.WaitForLogAsync(l => ScalingLine(l, step, step + 1), $"stepwise scaling target from={step} to={step + 1}", StepTimeout);
                    await h.WaitForReadyNodesAsync(step + 1);
                }

                var upSteps = agent.Lines.Select(ScalingStep).OfType<(int From, int To)>().Where(s => s.To > s.From).ToList();
                Assert.Equal([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)], upSteps.Take(5));

                // The load goes away: the pool shrinks to min, each node drained before its server is stopped and deleted.
                h.RegisterJob(1);
                await agent.WaitForLogAsync(l => ScalingStep(l) is { } s && s.To < s.From, "a scale-in", StepTimeout);
                await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 1, StepTimeout, "the pool back at min (1 server)");
                await agent.WaitForLogAsync(l => l.Contains("successfully performed and verified scaling in", StringComparison.Ordinal),
                    "os-nova's verified scale-in", StepTimeout);
                Assert.True(witness.Removed.Count >= 4, $"only {witness.Removed.Count} servers were stopped or deleted: {string.Join(", ", witness.Removed)}");
                Assert.Empty(witness.Violations);
                await h.WaitForAsync(() => Task.FromResult(h.Simulator.GetRunningCount("web", "app") == 1), StepTimeout, "the remaining allocation running");
                Assert.Equal("ACTIVE", (await bystander.Nova.GetServerAsync(outsider))?.Status);
                Assert.DoesNotContain(witness.Removed, id => id == outsider);
                Assert.DoesNotContain(agent.Lines, l => l.Contains(cloud.Member.Password ?? "\0", StringComparison.Ordinal));

                Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(15)));
            }
            finally
            {
                output.WriteLine(agent.Log);
            }
        }
        finally
        {
            await bystander.Nova.DeleteServerAsync(outsider);
        }
    }

    private static bool ScalingLine(string line, int from, int to) =>
        line.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal)
        && line.Contains($" from={from} to={to} ", StringComparison.Ordinal)
        && line.Contains("target=os-nova", StringComparison.Ordinal);

    private static (int From, int To)? ScalingStep(string line)
    {
        var match = ScalingTargetLine().Match(line);
        if (!match.Success) return null;
        return (int.Parse(match.Groups["from"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["to"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\[INFO\]\s+policy_eval\.worker: scaling target: .*target=os-nova from=(?<from>\d+) to=(?<to>\d+) ")]
    private static partial Regex ScalingTargetLine();

    /// <summary>The mission's agent.hcl with loopback values: Nomad is the simulator, OpenStack the loopback cloud, and
    /// os-nova reaches Nova through a witness proxy that checks every stop and delete against the Nomad node.</summary>
    private string WriteAgentConfig(PoolHarness h, LoopbackCloud cloud, Uri novaWitness)
    {
        var member = cloud.Member;
        var path = Path.Combine(_dir, "agent.hcl");
        File.WriteAllText(path, $$"""
            nomad {
              address = "{{h.Simulator.Address.ToString().TrimEnd('/')}}"
              region  = "global"
            }

            http {
              bind_address = "127.0.0.1"
              bind_port    = {{AgentProcess.FreePort()}}
            }

            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"

            apm "nomad-apm" {
              driver = "nomad-apm"
            }

            target "os-nova" {
              driver = "os-nova"
              config = {
                auth_url    = "{{member.AuthUrl}}"
                username    = "{{member.Username}}"
                password    = "{{member.Password}}"
                domain_name = "{{cloud.Id("OS_TEST_DOMAIN_NAME")}}"
                project_id  = "{{cloud.Id("OS_TEST_PROJECT_ID")}}"
                region_name = "RegionOne"
                compute_endpoint_override = "{{novaWitness}}"
              }
            }

            strategy "target-value" {
              driver = "target-value"
            }
            """);
        return path;
    }

    /// <summary>The mission's worker_pool_policy.hcl; only ids, pool names and the intervals differ (2m/1m would make a
    /// test of many steps last an hour).</summary>
    private static string Policy(PoolHarness h, LoopbackCloud cloud, int max, int? maxScaleUp) => $$"""
        scaling "worker_pool_policy" {
          enabled = true
          min     = 1
          max     = {{max}}

          policy {
            cooldown            = "5s"
            evaluation_interval = "2s"

            check "cpu_allocated_percentage" {
              source = "nomad-apm"
              query  = "percentage-allocated_cpu"

              strategy "target-value" {
                target = 70
                {{(maxScaleUp is { } up ? $"max_scale_up = {up}" : "")}}
              }
            }

            target "os-nova" {
              dry-run                       = false
              stop_first                    = true
              image_id                      = "{{cloud.Id("OS_TEST_IMAGE_ID")}}"
              flavor_name                   = "{{cloud.Id("OS_TEST_FLAVOR_NAME")}}"
              pool_name                     = "{{h.PoolName}}"
              name_prefix                   = "nom-"
              network_id                    = "{{cloud.Id("OS_TEST_NETWORK_ID")}}"
              security_groups               = "default"
              availability_zones            = "az1"
              tags                          = "nom-pool,ubuntu-minimal"
              node_class                    = "{{h.NodeClass}}"
              node_drain_deadline           = "1h"
              node_drain_ignore_system_jobs = false
              node_purge                    = true
              node_selector_strategy        = "least_busy"
            }
          }
        }
        """;

    /// <summary>Sees every request os-nova sends to Nova. A server stop or delete is checked against the simulator at
    /// that moment: the server's node must exist, have finished draining, and run no allocation.</summary>
    private sealed partial class DrainWitness(PoolHarness h)
    {
        public ConcurrentQueue<string> Removed { get; } = new();
        public ConcurrentQueue<string> Violations { get; } = new();

        public Fault Observe(string method, string path)
        {
            var serverId = method switch
            {
                "DELETE" when ServerPath().Match(path) is { Success: true } m => m.Groups[1].Value,
                "POST" when ServerActionPath().Match(path) is { Success: true } m => m.Groups[1].Value,
                _ => null,
            };
            if (serverId is null) return Fault.None;

            Removed.Enqueue(serverId);
            var node = h.Simulator.GetNodes().FirstOrDefault(n => n.CloudServerId == serverId);
            if (node is null)
            {
                // Purge comes after delete; a stop or delete of a server that never had a node is a violation.
                Violations.Enqueue($"{method} {path}: server {serverId} has no Nomad node");
                return Fault.None;
            }

            if (node.LastDrainStatus != "complete") Violations.Enqueue($"{method} {path}: node {node.Id} drain status is {node.LastDrainStatus ?? "none"}");
            var allocations = h.Nomad.GetNodeAllocationsAsync(node.Id).GetAwaiter().GetResult().Value;
            if (allocations.Any(a => a.ClientStatus is "running" or "pending"))
                Violations.Enqueue($"{method} {path}: node {node.Id} still runs allocations");
            return Fault.None;
        }

        [GeneratedRegex(@"/servers/([0-9a-f-]{36})$")]
        private static partial Regex ServerPath();

        [GeneratedRegex(@"/servers/([0-9a-f-]{36})/action$")]
        private static partial Regex ServerActionPath();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
