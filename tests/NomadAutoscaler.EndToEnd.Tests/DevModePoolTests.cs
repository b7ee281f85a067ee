namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The mission in the README's main command, `nomad-autoscaler agent -dev`: a burst of batch work queues on the
/// nom-pool node pool, the recommended cluster policy scales the pool out on the simulated cloud, the new nodes join
/// and take the queued allocations, and once the burst is gone the empty nodes are drained and the pool scales in.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class DevModePoolTests
{
    [Fact]
    public async Task Dev_agent_scales_the_node_pool_out_for_queued_work_then_in_and_ctrl_c_exits_0()
    {
        await using var agent = AgentProcess.Start("agent", "-dev");
        await agent.WaitForLogAsync(l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal)
                && l.Contains("queue=cluster target=sim-cloud from=1 to=3 reason=\"scaling up because metric is 3\"", StringComparison.Ordinal),
            "a pool scale-out sized to the burst (one server to three)", TimeSpan.FromSeconds(60));
        await agent.WaitForLogAsync(l => l.Contains("dev.simulator: cloud: server active, node joining: server=nom-pool-2 ", StringComparison.Ordinal),
            "a new server joining the pool as a node", TimeSpan.FromSeconds(60));
        await agent.WaitForLogAsync(l => l.Contains("dev.simulator: queued allocations placed: job=nom-burst ", StringComparison.Ordinal)
                && l.Contains(" still_queued=0", StringComparison.Ordinal),
            "the queued burst placed on the new nodes", TimeSpan.FromSeconds(30));
        await agent.WaitForLogAsync(l => l.Contains("queue=cluster target=sim-cloud from=3 to=1 reason=\"scaling down because metric is 1\"", StringComparison.Ordinal),
            "a pool scale-in after the burst and the cooldown that follows the scale-out", TimeSpan.FromSeconds(150));
        await agent.WaitForLogAsync(l => l.Contains("external_plugin.sim-cloud: successfully performed and verified scaling in:", StringComparison.Ordinal)
            && l.Contains(" action=scale_in", StringComparison.Ordinal) && l.Contains(" pool_name=nom-pool", StringComparison.Ordinal) && l.Contains(" count=2", StringComparison.Ordinal),
            "the two empty servers drained and deleted", TimeSpan.FromSeconds(30));

        Assert.Equal(2, agent.Lines.Count(l => l.Contains("external_plugin.sim-cloud: triggering drain on node:", StringComparison.Ordinal)));
        Assert.Equal(2, agent.Lines.Count(l => l.Contains("dev.simulator: cloud: server deleted: server=nom-pool-", StringComparison.Ordinal)));
        Assert.DoesNotContain(agent.Lines, l => l.Contains("server=nom-pool-1 ", StringComparison.Ordinal) && l.Contains("server deleted", StringComparison.Ordinal));
        Assert.Equal(0, await agent.SignalAsync("INT", TimeSpan.FromSeconds(10)));
    }
}
