using NomadAutoscaler.EndToEnd.Tests;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>`nomad-autoscaler agent -dev` with OS_* variables: the loopback cloud joins the simulated cluster, os-nova
/// brings its pool to min, the servers join as Nomad nodes, and the pool's load makes it grow.</summary>
[Collection(OpenStackCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class DevModeOpenStackTests(ITestOutputHelper output)
{
    private const string PoolTag = "na_pool:dev-os-pool";

    [Fact]
    public async Task DevAgent_WithOsVariables_ScalesANovaPoolWhoseServersJoinTheCluster()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        using var observer = new OpenStackClient(cloud.Member);
        await DeletePoolAsync(observer);
        var environment = new Dictionary<string, string>(cloud.MemberEnvironment, StringComparer.Ordinal)
        {
            ["NOMAD_AUTOSCALER_DEV_OS_IMAGE"] = cloud.Id("OS_TEST_IMAGE_NAME"),
            ["NOMAD_AUTOSCALER_DEV_OS_FLAVOR"] = cloud.Id("OS_TEST_FLAVOR_NAME"),
            ["NOMAD_AUTOSCALER_DEV_OS_NETWORK"] = cloud.Id("OS_TEST_NETWORK_NAME"),
        };
        try
        {
            await using var agent = AgentProcess.StartWithEnvironment(environment, "agent", "-dev");
            try
            {
                var timeout = TimeSpan.FromMinutes(3);
                await agent.WaitForLogAsync(l => l.Contains("OpenStack joins the dev cluster", StringComparison.Ordinal), "the dev OpenStack pool announced", timeout);
                await agent.WaitForLogAsync(l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("target=os-nova from=0 to=1 ", StringComparison.Ordinal),
                    "os-nova pool brought to min", timeout);
                await agent.WaitForLogAsync(l => l.Contains("dev.simulator: cloud join: server registered as a node: server=dev-os-", StringComparison.Ordinal) && l.Contains(" node_class=dev-os-pool", StringComparison.Ordinal),
                    "the first server joined as a Nomad node", timeout);
                await agent.WaitForLogAsync(l => l.Contains("target=os-nova from=1 to=", StringComparison.Ordinal) && l.Contains("reason=\"scaling up because factor is", StringComparison.Ordinal),
                    "the pool scaled up under the batch load", timeout);
                await agent.WaitForLogAsync(_ => CountScaleOuts(agent) >= 2, "the second scale-out verified by os-nova", timeout);
                Assert.True((await observer.Nova.ListServersAsync(PoolTag)).Count(s => s.Status == "ACTIVE") >= 2);
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
            await DeletePoolAsync(observer);
        }
    }

    private static int CountScaleOuts(AgentProcess agent) =>
        agent.Lines.Count(l => l.Contains("external_plugin.os-nova: successfully performed and verified scaling out: @module=os-nova action=scale_out ", StringComparison.Ordinal) && l.Contains(" pool_name=dev-os-pool ", StringComparison.Ordinal));

    private static async Task DeletePoolAsync(OpenStackClient client)
    {
        // Deleted again on every round: a create the stopped agent sent last may only show up after the first list.
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await client.Nova.ListServersAsync(PoolTag, CancellationToken.None) is { Count: > 0 } servers)
        {
            cts.Token.ThrowIfCancellationRequested();
            foreach (var server in servers.Where(s => s.TaskState != "deleting")) await client.Nova.DeleteServerAsync(server.Id);
            await Task.Delay(1000, CancellationToken.None);
        }
    }
}
