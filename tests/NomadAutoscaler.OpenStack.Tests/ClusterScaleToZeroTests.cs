using NomadAutoscaler.EndToEnd.Tests;
using NomadAutoscaler.Plugins.Prometheus.Tests;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>
/// docs/scale-to-zero.md's cluster example, end to end: the real agent with the prometheus APM (a real Prometheus
/// scraping the simulator), threshold and os-nova (the loopback Nova). The pool starts empty; a job that cannot be
/// placed makes the blocked-evaluations series rise and the pool grows from 0; when the job is gone the idle tier
/// takes the pool back to 0, draining before deleting.
/// </summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "EndToEnd")]
public sealed class ClusterScaleToZeroTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-cluster-zero-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EmptyPool_GrowsFromZeroOnBlockedWork_AndReturnsToZeroWhenIdle()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        var prometheus = await PrometheusServer.FindAsync(output);
        if (prometheus is null) return;
        await using var h = await PoolHarness.StartAsync(cloud, output);
        var sim = h.PoolName;
        using var scrape = prometheus.Scrape(h.Simulator.Address, sim);
        await prometheus.WaitUntilAsync($"up{{sim=\"{sim}\"}}", v => v == 1, TimeSpan.FromSeconds(60));

        var config = Path.Combine(_dir, "agent.hcl");
        var member = cloud.Member;
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{h.Simulator.Address.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            apm "prometheus" {
              driver = "prometheus"
              config = { address = "{{prometheus.Address.ToString().TrimEnd('/')}}" }
            }
            target "os-nova" {
              driver = "os-nova"
              config = {
                auth_url            = "{{member.AuthUrl}}"
                username            = "{{member.Username}}"
                password            = "{{member.Password}}"
                user_domain_name    = "{{member.UserDomainName}}"
                project_domain_name = "{{member.ProjectDomainName}}"
                project_name        = "{{member.ProjectName}}"
              }
            }
            """);
        var blocked = $"sum(nomad_nomad_blocked_evals_cpu{{sim=\\\"{sim}\\\",node_class=\\\"{h.NodeClass}\\\"}}) or vector(0)";
        var allocated = $"sum(nomad_client_allocated_cpu{{sim=\\\"{sim}\\\",node_class=\\\"{h.NodeClass}\\\"}}) or vector(0)";
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "pool.hcl"), $$"""
            scaling "batch_pool" {
              enabled = true
              type    = "cluster"
              min     = 0
              max     = 2

              policy {
                # Long enough to cover a new node's join and first placements, which read as idle for a scrape or two.
                cooldown            = "10s"
                evaluation_interval = "2s"

                check "pending" {
                  source       = "prometheus"
                  group        = "batch"
                  query        = "{{blocked}}"
                  query_window = "instant"
                  strategy "threshold" {
                    lower_bound           = 1
                    delta                 = 1
                    within_bounds_trigger = 1
                  }
                }

                check "idle" {
                  source       = "prometheus"
                  group        = "batch"
                  query        = "({{allocated}}) + ({{blocked}})"
                  query_window = "instant"
                  strategy "threshold" {
                    upper_bound           = 1
                    value                 = 0
                    within_bounds_trigger = 1
                  }
                }

                target "os-nova" {
                  pool_name           = "{{h.PoolName}}"
                  node_class          = "{{h.NodeClass}}"
                  name_prefix         = "{{h.PoolName}}-"
                  image_name          = "{{cloud.Id("OS_TEST_IMAGE_NAME")}}"
                  flavor_name         = "{{cloud.Id("OS_TEST_FLAVOR_NAME")}}"
                  network_name        = "{{cloud.Id("OS_TEST_NETWORK_NAME")}}"
                  security_groups     = "default"
                  node_drain_deadline = "5m"
                  node_purge          = "true"
                }
              }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config, "-policy-dir", policies);
        try
        {
            // Empty and idle: 0 is where the idle tier wants it.
            await agent.WaitForLogAsync(l => l.Contains("skipping scaling, no action needed", StringComparison.Ordinal), "an idle evaluation at 0", StepTimeout);
            Assert.Empty(await h.ServersAsync());

            // Work that no node can take: the pool grows from zero, the node joins and the work runs.
            h.RegisterJob(2);
            await agent.WaitForLogAsync(l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("target=os-nova from=0 to=1 ", StringComparison.Ordinal),
                "scaling target from=0 to=1 on blocked work", StepTimeout);
            await h.WaitForReadyNodesAsync(1);
            await h.WaitForAsync(() => Task.FromResult(h.Simulator.GetRunningCount("web", "app") == 2), StepTimeout, "the blocked allocations running on the new node");

            // The work is gone: the idle tier takes the pool back to zero, through a drain.
            h.RegisterJob(0);
            await agent.WaitForLogAsync(l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("target=os-nova from=1 to=0 ", StringComparison.Ordinal),
                "scaling target from=1 to=0 when idle", StepTimeout);
            await h.WaitForAsync(async () => (await h.ServersAsync()).Count == 0, StepTimeout, "the pool at 0 servers");
            Assert.Contains(agent.Lines, l => l.Contains("external_plugin.os-nova: triggering drain on node", StringComparison.Ordinal));
            // One step up and one down: the pool neither flapped nor grew past what the blocked work needed.
            Assert.Single(agent.Lines, l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("target=os-nova from=0 to=1 ", StringComparison.Ordinal));
            Assert.DoesNotContain(agent.Lines, l => l.Contains("target=os-nova from=1 to=2 ", StringComparison.Ordinal));
            Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(15)));
        }
        finally
        {
            output.WriteLine(agent.Log);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
