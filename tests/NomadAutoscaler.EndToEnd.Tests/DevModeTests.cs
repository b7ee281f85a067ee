using System.Globalization;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The README's main command, `nomad-autoscaler agent -dev`: within a minute the log shows a scale-up of the
/// demo job, after the load drops a scale-down, and Ctrl-C (SIGINT) stops the agent and every plugin process.</summary>
[Trait("Category", "EndToEnd")]
public sealed class DevModeTests
{
    [Fact]
    public async Task Dev_agent_scales_up_within_a_minute_then_down_and_ctrl_c_leaves_no_process()
    {
        await using var agent = AgentProcess.Start("agent", "-dev");
        await agent.WaitForLogAsync(l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("reason=\"scaling up because factor is", StringComparison.Ordinal),
            "a scale-up of the demo job", TimeSpan.FromSeconds(60));
        await agent.WaitForLogAsync(l => l.Contains("policy_eval.worker: scaling target:", StringComparison.Ordinal) && l.Contains("reason=\"scaling down because factor is", StringComparison.Ordinal),
            "a scale-down after the load drops", TimeSpan.FromSeconds(120));

        var plugins = Descendants(agent.Id);
        Assert.True(plugins.Count >= 6, $"expected the built-in plugin processes under the agent, found {plugins.Count}");
        Assert.Equal(0, await agent.SignalAsync("INT", TimeSpan.FromSeconds(10)));
        Assert.Contains(agent.Lines, l => l.Contains("caught signal: signal=interrupt", StringComparison.Ordinal));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (plugins.Any(IsAlive))
        {
            if (cts.IsCancellationRequested) Assert.Fail($"plugin processes still alive after the agent exited: {string.Join(", ", plugins.Where(IsAlive))}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>Every process whose parent chain leads to <paramref name="root"/> (plugins run under a setpriv launcher).</summary>
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, ppid) in parents)
            {
                if (ppid != parent) continue;
                result.Add(pid);
                frontier.Enqueue(pid);
            }
        }

        return result;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie has exited; only its parent's wait is missing.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
