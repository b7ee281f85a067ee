using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Core.Tests.Configuration;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Tests.Policy;

public sealed class FilePolicyDecoderTests
{
    private const string Minimal = """
        scaling "web" {
          enabled = true
          max     = 3
          policy {
            check "cpu" {
              query = "avg_cpu"
              strategy "target-value" {
                target = 70
              }
            }
            target "nomad-target" {
              Job   = "shop"
              Group = "web"
            }
          }
        }
        """;

    private static FilePolicyFile Decode(string text, string fileName = "/policies/test.hcl", FilePolicyDefaults? defaults = null) =>
        FilePolicyDecoder.Decode(fileName.EndsWith(".json", StringComparison.Ordinal) ? HclParser.ParseJson(text, fileName) : HclParser.Parse(text, fileName),
            defaults ?? FilePolicyDefaults.Upstream);

    private static ScalingPolicy Single(string text, string fileName = "/policies/test.hcl", FilePolicyDefaults? defaults = null)
    {
        var file = Decode(text, fileName, defaults);
        Assert.True(file.Valid, string.Join("\n", file.AllDiagnostics.Select(d => d.ToString())));
        return Assert.Single(file.Policies).Policy!;
    }

    [Fact]
    public void Seed_policy_decodes_unmodified_with_every_value()
    {
        var path = Path.Combine(RepoFiles.Seed, "policies", "worker_pool_policy.hcl");

        var file = FilePolicyDecoder.DecodeFile(path, FilePolicyDefaults.Upstream);

        Assert.Empty(file.AllDiagnostics);
        var policy = Assert.Single(file.Policies).Policy!;
        Assert.Equal(("worker_pool_policy", "file", path), (policy.Name, policy.Source, policy.FilePath));
        Assert.Equal((PolicyTypes.Cluster, true, 1L, 2L), (policy.Type, policy.Enabled, policy.Min, policy.Max));
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)),
            (policy.Cooldown, policy.CooldownOnScaleUp, policy.EvaluationInterval));
        var check = Assert.Single(policy.Checks);
        Assert.Equal(("cpu_allocated_percentage", "nomad-apm", "percentage-allocated_cpu"), (check.Name, check.Source, check.Query));
        Assert.Equal(("target-value", TimeSpan.FromMinutes(1), false), (check.StrategyName, check.QueryWindow, check.QueryInstant));
        Assert.Equal(new Dictionary<string, string> { ["target"] = "70" }, check.StrategyConfig);
        Assert.Equal("os-nova", policy.Target.Name);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["dry-run"] = "false",
                ["stop_first"] = "true",
                ["image_id"] = "c0b9ae0f-6a02-4a35-a8b3-8e7b1e7d3b41",
                ["flavor_name"] = "2C-2GB-20GB",
                ["pool_name"] = "nom-pool",
                ["name_prefix"] = "nom-",
                ["network_id"] = "5e1b3c9a-2f44-4d8e-9a51-7c0b6d2e8f13",
                ["security_groups"] = "default",
                ["availability_zones"] = "az1",
                ["tags"] = "nom-pool,ubuntu-minimal",
                ["node_class"] = "nom-pool",
                ["node_drain_deadline"] = "1h",
                ["node_drain_ignore_system_jobs"] = "false",
                ["node_purge"] = "true",
                ["node_selector_strategy"] = "least_busy",
            },
            policy.Target.Config);
        Assert.False(policy.Target.DryRun);
        Assert.Equal(FilePolicyDecoder.PolicyId(path, "worker_pool_policy"), policy.Id);
    }

    [Fact]
    public void Agent_defaults_fill_unset_durations_and_scale_up_cooldown_follows_cooldown()
    {
        var defaults = FilePolicyDefaults.Upstream with { DefaultCooldown = TimeSpan.FromMinutes(7), DefaultEvaluationInterval = TimeSpan.FromSeconds(20) };

        var policy = Single(Minimal, defaults: defaults);

        Assert.Equal((PolicyTypes.Cluster, 0L, 3L), (policy.Type, policy.Min, policy.Max));
        Assert.Equal((TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(7), TimeSpan.FromSeconds(20)),
            (policy.Cooldown, policy.CooldownOnScaleUp, policy.EvaluationInterval));
        Assert.Equal("", policy.OnCheckError);
        Assert.Null(policy.Schedule);
    }

    [Fact]
    public void Every_policy_and_check_field_is_decoded()
    {
        var policy = Single("""
            scaling "api" {
              enabled = true
              type    = "horizontal"
              min     = 2
              max     = "10"
              policy {
                cooldown             = "3m"
                cooldown_on_scale_up = "30s"
                evaluation_interval  = "15s"
                on_check_error       = "fail"
                schedule {
                  start    = "0 8 * * 1-5"
                  duration = "12h"
                }
                check "latency" {
                  source              = "prometheus"
                  query               = "histogram_quantile(0.99, rate(x[1m]))"
                  query_window        = "5m"
                  query_window_offset = "1m"
                  group               = "g1"
                  on_error            = "ignore"
                  schedule {
                    start = "0 9 * * *"
                    end   = "0 17 * * *"
                  }
                  strategy "threshold" {
                    upper_bound = 200.5
                    lower_bound = 1e3
                    delta       = 1
                    enabled     = true
                    encoded     = jsonencode({ a = 1 })
                  }
                }
                check "now" {
                  query        = "avg_cpu"
                  query_window = "instant"
                  strategy "threshold" {
                    within_bounds_trigger = 1
                  }
                }
                target "nomad-target" {
                  Job     = "shop"
                  Group   = "api"
                  dry-run = true
                  big     = 1000000
                }
              }
            }
            """);

        Assert.Equal((PolicyTypes.Horizontal, 2L, 10L), (policy.Type, policy.Min, policy.Max));
        Assert.Equal((TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15)),
            (policy.Cooldown, policy.CooldownOnScaleUp, policy.EvaluationInterval));
        Assert.Equal("fail", policy.OnCheckError);
        Assert.Equal(("0 8 * * 1-5", TimeSpan.FromHours(12)), (policy.Schedule!.StartText, policy.Schedule.Duration));

        var latency = policy.Checks[0];
        Assert.Equal(("latency", "prometheus", "g1", "ignore"), (latency.Name, latency.Source, latency.Group, latency.OnError));
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)), (latency.QueryWindow, latency.QueryWindowOffset));
        Assert.Equal(("0 9 * * *", "0 17 * * *"), (latency.Schedule!.StartText, latency.Schedule.EndText));
        Assert.Equal(
            new Dictionary<string, string> { ["upper_bound"] = "200.5", ["lower_bound"] = "1000", ["delta"] = "1", ["enabled"] = "true", ["encoded"] = "{\"a\":1}" },
            latency.StrategyConfig);

        var now = policy.Checks[1];
        Assert.True(now.QueryInstant);
        Assert.Equal("nomad-apm", now.Source);

        Assert.True(policy.Target.DryRun);
        Assert.Equal("1000000", policy.Target.Config["big"]);
    }

    [Fact]
    public void Json_syntax_gives_the_same_policy_as_hcl()
    {
        const string json = """
            {
              "scaling": {
                "web": {
                  "enabled": true,
                  "max": 3,
                  "policy": {
                    "check": { "cpu": { "query": "avg_cpu", "strategy": { "target-value": { "target": 70 } } } },
                    "target": { "nomad-target": { "Job": "shop", "Group": "web" } }
                  }
                }
              }
            }
            """;

        var fromJson = Single(json, "/policies/test.json");
        var fromHcl = Single(Minimal);

        Assert.Equal(fromHcl.Revision, fromJson.Revision);
        Assert.Equal(fromHcl.Checks.Single().StrategyConfig, fromJson.Checks.Single().StrategyConfig);
        Assert.Equal(fromHcl.Target.Config, fromJson.Target.Config);
    }

    [Fact]
    public void A_file_may_hold_several_policies_and_a_bad_one_does_not_spoil_the_others()
    {
        var file = Decode(Minimal + "\n" + Minimal.Replace("\"web\"", "\"bad\"", StringComparison.Ordinal).Replace("max     = 3", "max     = -1", StringComparison.Ordinal)
            + "\n" + Minimal.Replace("\"web\"", "\"other\"", StringComparison.Ordinal));

        Assert.Equal(["web", "bad", "other"], file.Policies.Select(p => p.Name));
        Assert.NotNull(file.Policies[0].Policy);
        Assert.Null(file.Policies[1].Policy);
        Assert.NotNull(file.Policies[2].Policy);
        Assert.False(file.Valid);
    }

    [Fact]
    public void Disabled_policies_are_decoded_but_not_validated()
    {
        var file = Decode("""
            scaling "parked" {
              max = 1
              policy {
              }
            }
            """);

        var policy = Assert.Single(file.Policies).Policy!;
        Assert.False(policy.Enabled);
        Assert.Empty(file.AllDiagnostics);
    }

    [Fact]
    public void Disabled_policies_still_get_decoding_errors()
    {
        var file = Decode("""
            scaling "parked" {
              max = "lots"
              policy {
                cooldown = "later"
              }
            }
            """);

        Assert.Equal(2, file.AllDiagnostics.Count());
        Assert.Null(Assert.Single(file.Policies).Policy);
    }

    [Fact]
    public void Long_queries_are_fine_for_non_nomad_apm_sources_and_job_targets()
    {
        var prometheus = Minimal.Replace("query = \"avg_cpu\"", "source = \"prometheus\"\n      query = \"sum(x)/sum(y)\"", StringComparison.Ordinal)
            .Replace("Job   = \"shop\"\n      Group = \"web\"", "node_class = \"pool\"", StringComparison.Ordinal);
        var jobTarget = Minimal.Replace("query = \"avg_cpu\"", "query = \"taskgroup_avg_cpu/web/shop\"", StringComparison.Ordinal);

        Assert.Equal("pool", Single(prometheus).Target.Config["node_class"]);
        Assert.Equal("taskgroup_avg_cpu/web/shop", Single(jobTarget).Checks.Single().Query);
    }

    [Fact]
    public void A_renamed_nomad_apm_block_is_recognised_for_the_node_pool_query_rule()
    {
        var text = Minimal.Replace("query = \"avg_cpu\"", "source = \"my-nomad\"\n      query = \"node_cpu/pool/class\"", StringComparison.Ordinal)
            .Replace("Job   = \"shop\"\n      Group = \"web\"", "node_class = \"pool\"", StringComparison.Ordinal);
        var defaults = FilePolicyDefaults.Upstream with { NomadApmNames = new HashSet<string> { "my-nomad" } };

        var file = Decode(text, defaults: defaults);

        Assert.Contains(file.AllDiagnostics, d => d.Detail.Contains("query must be in short format", StringComparison.Ordinal));
        Assert.True(Decode(text).Valid);
    }

    [Fact]
    public void Ids_are_stable_per_path_and_name()
    {
        var id = FilePolicyDecoder.PolicyId("/policies/a.hcl", "web");

        Assert.Equal(id, FilePolicyDecoder.PolicyId("/policies/a.hcl", "web"));
        Assert.Equal(id, FilePolicyDecoder.PolicyId("/policies/../policies/a.hcl", "web"));
        Assert.NotEqual(id, FilePolicyDecoder.PolicyId("/policies/a.hcl", "api"));
        Assert.NotEqual(id, FilePolicyDecoder.PolicyId("/policies/b.hcl", "web"));
        Assert.True(Guid.TryParse(id, out _));
    }

    [Fact]
    public void Revision_follows_content_only()
    {
        var original = Single(Minimal);

        Assert.Equal(original.Revision, Single(Minimal).Revision);
        Assert.Equal(original.Revision, Single("# a comment changes nothing\n" + Minimal).Revision);
        Assert.NotEqual(original.Revision, Single(Minimal.Replace("target = 70", "target = 71", StringComparison.Ordinal)).Revision);
        Assert.NotEqual(original.Revision, Single(Minimal.Replace("max     = 3", "max     = 4", StringComparison.Ordinal)).Revision);
        Assert.NotEqual(original.Revision, Single(Minimal.Replace("Group = \"web\"", "Group = \"api\"", StringComparison.Ordinal)).Revision);
        Assert.NotEqual(original.Revision,
            Single(Minimal, defaults: FilePolicyDefaults.Upstream with { DefaultCooldown = TimeSpan.FromMinutes(1) }).Revision);
    }

    [Theory]
    [InlineData(Minimal, true)]
    [InlineData("nomad {\n  address = \"http://x:4646\"\n}\n", false)]
    [InlineData("", false)]
    public void Policy_files_are_told_apart_from_agent_config(string text, bool isPolicy) =>
        Assert.Equal(isPolicy, FilePolicyDecoder.IsPolicyFile(HclParser.Parse(text, "x.hcl").Body));
}
