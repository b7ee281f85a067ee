namespace NomadAutoscaler.Lab.Tests;

/// <summary>Whole lab runs: the real engine and plugins against the simulated cluster and cloud in virtual time.</summary>
public sealed class LabRunTests : IDisposable
{
    private static readonly string Examples = Path.Combine(AppContext.BaseDirectory, "examples");
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();
    private readonly string _dir = Directory.CreateTempSubdirectory("lab-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_same_inputs_and_seed_give_the_same_report_byte_for_byte()
    {
        var options = Recommended("bursty-batch.workload", TimeSpan.FromHours(3)) with { BootJitter = TimeSpan.FromSeconds(20), BootFailureRate = 0.1, Seed = 7 };
        var first = LabReportWriter.Json(LabRun.Run(options, NoEnvironment, _dir));
        var second = LabReportWriter.Json(LabRun.Run(options, NoEnvironment, _dir));
        Assert.Equal(first, second);
        Assert.Equal(LabHtmlReport.Render(LabRun.Run(options, NoEnvironment, _dir)), LabHtmlReport.Render(LabRun.Run(options, NoEnvironment, _dir)));

        // And the seed matters: another one draws other boot times and failures.
        var other = LabReportWriter.Json(LabRun.Run(options with { Seed = 8 }, NoEnvironment, _dir));
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_recommended_policy_adds_one_server_on_the_mission_and_gives_it_back()
    {
        var report = LabRun.Run(Recommended("mission.workload", TimeSpan.FromHours(1)), NoEnvironment, _dir);

        var policy = Assert.Single(report.Policies);
        Assert.Equal("nom-pool", policy.Name);
        Assert.Equal([(2L, 3L), (3L, 2L)], policy.Decisions.Select(d => (d.From, d.To)));
        Assert.Equal(0, policy.MaxOvershoot);
        Assert.InRange(policy.NodeHours!.Value, policy.BoundNodeHours!.Value * 0.9, policy.BoundNodeHours.Value * 1.15);
        // The one queued allocation waits for the new server's boot (90 s) and the evaluation that sees it.
        Assert.InRange(policy.PendingWaitMax, 90, 90 + 20 + 10);
    }

    [Fact]
    public void The_recommended_policy_boots_servers_ahead_of_a_burst_that_came_back_twice()
    {
        // bursty-batch: every hour, 8 allocations of 2000 MHz arrive at 5m (four servers' worth).
        var report = LabRun.Run(Recommended("bursty-batch.workload", TimeSpan.FromHours(3)), NoEnvironment, _dir);

        var policy = Assert.Single(report.Policies);
        TimeSpan FirstScaleOutIn(int hour) => policy.Decisions
            .Where(d => d.To > d.From && d.DecidedAt - report.Start >= TimeSpan.FromHours(hour))
            .Select(d => d.DecidedAt - report.Start - TimeSpan.FromHours(hour))
            .First();
        // The first two hours react to the queue (one season is not enough to anticipate)...
        Assert.InRange(FirstScaleOutIn(0), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5.5));
        Assert.InRange(FirstScaleOutIn(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5.5));
        // ...the third boots the burst's servers before it comes, within the lead (2m30s), and says why.
        Assert.InRange(FirstScaleOutIn(2), TimeSpan.FromMinutes(2.5), TimeSpan.FromMinutes(3.5));
        var early = policy.Decisions.First(d => d.To > d.From && d.DecidedAt - report.Start >= TimeSpan.FromHours(2));
        Assert.Equal(5, early.To);
        Assert.Contains("1h0m0s ago the metric reached 5 within the next 2m30s", early.Reason, StringComparison.Ordinal);
        Assert.InRange(policy.NodeHours!.Value, policy.BoundNodeHours!.Value * 0.9, policy.BoundNodeHours.Value * 1.15);
    }

    [Fact]
    public void A_low_target_on_a_utilisation_ratio_overshoots_and_the_report_says_by_how_much()
    {
        // The operator's surprise: target-value on percentage-allocated_cpu with a low target buys servers that the
        // demand never needed. The mission workload needs one more server at 10m; this policy climbs to max.
        WritePolicy("""
            scaling "nom-pool" {
              enabled = true
              min     = 2
              max     = 7
              policy {
                cooldown            = "2m"
                evaluation_interval = "1m"
                check "cpu" {
                  source = "nomad-apm"
                  query  = "percentage-allocated_cpu"
                  strategy "target-value" {
                    target = 20
                  }
                }
                target "os-nova" {
                  node_class             = "nom-pool"
                  node_selector_strategy = "empty_ignore_system"
                }
              }
            }
            """);
        var report = LabRun.Run(Options("mission.workload", TimeSpan.FromHours(1), Path.Combine(Examples, "seed", "agent.hcl")), NoEnvironment, _dir);

        var policy = Assert.Single(report.Policies);
        Assert.Equal(7, policy.Decisions.Max(d => d.To));
        Assert.True(policy.MaxOvershoot >= 4, $"overshoot {policy.MaxOvershoot}");
        Assert.True(policy.NodeHours > policy.BoundNodeHours * 1.5, $"{policy.NodeHours} node-hours against a bound of {policy.BoundNodeHours}");
        Assert.True(policy.IdleNodeHours > 1, $"idle {policy.IdleNodeHours}");
    }

    [Fact]
    public void A_csv_trace_plays_like_the_same_workload_written_as_lines()
    {
        var lines = LabRun.Run(Recommended("mission.workload", TimeSpan.FromHours(1)), NoEnvironment, _dir);
        var csv = LabRun.Run(Recommended("mission.csv", TimeSpan.FromHours(1)), NoEnvironment, _dir);
        Assert.Equal(
            LabReportWriter.Json(lines).Replace("mission.workload", "", StringComparison.Ordinal),
            LabReportWriter.Json(csv).Replace("mission.csv", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_task_group_policy_is_scored_in_allocations_against_the_ideal_count()
    {
        File.WriteAllText(Path.Combine(_dir, "web.workload"), """
            at 0s   node add count 3 class web cpu 4000 mem 8192
            at 0s   job web count 2 cpu 500 mem 256 class web
            at 5m   job web load_cpu 3000 over 2m
            at 40m  job web load_cpu 500 over 5m
            """);
        WritePolicy("""
            scaling "web" {
              enabled = true
              type    = "horizontal"
              min     = 1
              max     = 10
              policy {
                cooldown            = "1m"
                evaluation_interval = "30s"
                check "cpu" {
                  source = "nomad-apm"
                  query  = "avg_cpu-allocated"
                  strategy "target-value" {
                    target = 70
                  }
                }
                target "nomad-target" {
                  Job   = "web"
                  Group = "web"
                }
              }
            }
            """);
        var report = LabRun.Run(new LabOptions { PolicyDir = PolicyDir, WorkloadPath = Path.Combine(_dir, "web.workload"), Duration = TimeSpan.FromHours(1) }, NoEnvironment, _dir);

        var policy = Assert.Single(report.Policies);
        Assert.Null(policy.NodeHours);
        Assert.True(policy.Decisions.Any(d => d.To > d.From), "the load at 5m scales the group up");
        Assert.True(policy.Decisions.Any(d => d.To < d.From), "the drop at 40m scales it down");
        // 3000 MHz over 500 MHz allocations: six at full use; target-value 70 keeps more, so some hours are excess.
        Assert.True(policy.AllocHours > policy.BoundAllocHours, $"{policy.AllocHours} against {policy.BoundAllocHours}");
        Assert.True(policy.ExcessAllocHours > 0);
    }

    [Fact]
    public void A_check_the_lab_cannot_answer_is_refused_naming_the_file_and_the_check()
    {
        var config = Path.Combine(_dir, "agent.hcl");
        File.WriteAllText(config, """
            apm "prom" {
              driver = "prometheus"
            }
            target "os-nova" {
              driver = "os-nova"
            }
            """);
        WritePolicy("""
            scaling "pool" {
              enabled = true
              min     = 1
              max     = 3
              policy {
                check "queue" {
                  source = "prom"
                  query  = "sum(queue_depth)"
                  strategy "target-value" {
                    target = 10
                  }
                }
                target "os-nova" {
                  node_class = "nom-pool"
                }
              }
            }
            """);
        var error = Assert.Throws<LabException>(() => LabRun.Run(Options("mission.workload", TimeSpan.FromHours(1), config), NoEnvironment, _dir));
        Assert.Contains(Path.Combine(PolicyDir, "policy.hcl"), error.Message, StringComparison.Ordinal);
        Assert.Contains("check \"queue\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("driver \"prometheus\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("agent.hcl:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_workload_line_is_refused_with_file_line_and_column()
    {
        var workload = Path.Combine(_dir, "broken.workload");
        File.WriteAllText(workload, "at 0s job queue type batch class nom-pool count 5 cpu 1000 mem 1024\nat 10m job queue count nine\n");
        var error = Assert.Throws<LabException>(() => LabRun.Run(Recommended("mission.workload", TimeSpan.FromHours(1)) with { WorkloadPath = workload }, NoEnvironment, _dir));
        Assert.Contains(workload + ":2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_policy_without_a_node_class_is_refused_naming_the_key()
    {
        WritePolicy("""
            scaling "pool" {
              enabled = true
              min     = 1
              max     = 3
              policy {
                check "demand" {
                  source = "nomad-apm"
                  query  = "desired-nodes_resources"
                  strategy "pass-through" {}
                }
                target "os-nova" {
                  pool_name = "somewhere"
                }
              }
            }
            """);
        var error = Assert.Throws<LabException>(() => LabRun.Run(Options("mission.workload", TimeSpan.FromHours(1), Path.Combine(Examples, "recommended", "agent.hcl")), NoEnvironment, _dir));
        Assert.Contains("\"node_class\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("policy \"pool\"", error.Message, StringComparison.Ordinal);
    }

    private string PolicyDir => Path.Combine(_dir, "policies");

    private void WritePolicy(string text)
    {
        Directory.CreateDirectory(PolicyDir);
        File.WriteAllText(Path.Combine(PolicyDir, "policy.hcl"), text);
    }

    private static LabOptions Recommended(string workload, TimeSpan duration) => new()
    {
        ConfigPaths = [Path.Combine(Examples, "recommended", "agent.hcl")],
        PolicyDir = Path.Combine(Examples, "recommended", "policies"),
        WorkloadPath = Path.Combine(Examples, "workloads", workload),
        Duration = duration,
    };

    private LabOptions Options(string workload, TimeSpan duration, string config) => new()
    {
        ConfigPaths = [config],
        PolicyDir = PolicyDir,
        WorkloadPath = Path.Combine(Examples, "workloads", workload),
        Duration = duration,
    };
}
