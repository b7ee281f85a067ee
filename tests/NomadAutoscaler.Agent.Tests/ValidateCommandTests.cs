using System.Text.Json.Nodes;
using NomadAutoscaler.Agent.Cli;

namespace NomadAutoscaler.Agent.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private static readonly string Seed = Path.Combine(FindRoot(), "examples", "seed");
    private readonly string _dir = Directory.CreateTempSubdirectory("validate-").FullName;
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private int Run(params string[] args) => ValidateCommand.Run(args, _stdout, _stderr, new Dictionary<string, string?>(), _dir);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_seed_files_are_valid()
    {
        var agent = Path.Combine(Seed, "agent.hcl");
        var policy = Path.Combine(Seed, "policies", "worker_pool_policy.hcl");

        Assert.Equal(0, Run(agent, Path.Combine(Seed, "policies")));

        Assert.Equal(
            $"{agent}: agent configuration: ok\n{policy}: scaling policy file (worker_pool_policy): ok\nValidation passed: 2 file(s) checked.\n",
            _stdout.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public void Json_output_of_the_seed_files_has_the_decoded_policy_and_the_redacted_config()
    {
        Assert.Equal(0, Run("-json", Path.Combine(Seed, "agent.hcl"), Path.Combine(Seed, "policies")));

        var text = _stdout.ToString();
        Assert.DoesNotContain("geheim", text, StringComparison.Ordinal);
        var json = JsonNode.Parse(text)!;
        Assert.True(json["valid"]!.GetValue<bool>());
        var config = json["config"]!;
        Assert.Equal("stage", config["nomad"]!["region"]!.GetValue<string>());
        Assert.Equal(9999, config["http"]!["bind_port"]!.GetValue<int>());
        var nova = config["target"]!["os-nova"]!;
        Assert.Equal("os-nova", nova["driver"]!.GetValue<string>());
        Assert.Equal("<redacted>", nova["config"]!["password"]!.GetValue<string>());
        Assert.Equal("tbueker", nova["config"]!["username"]!.GetValue<string>());

        var policy = Assert.Single(json["policies"]!.AsArray())!;
        Assert.Equal("worker_pool_policy", policy["name"]!.GetValue<string>());
        Assert.Equal(("cluster", true, 1L, 2L), (policy["type"]!.GetValue<string>(), policy["enabled"]!.GetValue<bool>(), policy["min"]!.GetValue<long>(), policy["max"]!.GetValue<long>()));
        Assert.Equal(("2m0s", "2m0s", "1m0s"),
            (policy["cooldown"]!.GetValue<string>(), policy["cooldown_on_scale_up"]!.GetValue<string>(), policy["evaluation_interval"]!.GetValue<string>()));
        var check = Assert.Single(policy["checks"]!.AsArray())!;
        Assert.Equal(("cpu_allocated_percentage", "nomad-apm", "percentage-allocated_cpu"),
            (check["name"]!.GetValue<string>(), check["source"]!.GetValue<string>(), check["query"]!.GetValue<string>()));
        Assert.Equal("target-value", check["strategy"]!["name"]!.GetValue<string>());
        Assert.Equal("70", check["strategy"]!["config"]!["target"]!.GetValue<string>());
        Assert.Equal("os-nova", policy["target"]!["name"]!.GetValue<string>());
        Assert.Equal("least_busy", policy["target"]!["config"]!["node_selector_strategy"]!.GetValue<string>());
        Assert.Equal("false", policy["target"]!["config"]!["dry-run"]!.GetValue<string>());
    }

    private static string PoolPolicy(string name, string nodeClass) => $$"""
        scaling "{{name}}" {
          enabled = true
          type    = "cluster"
          min     = 1
          max     = 5
          policy {
            check "demand" {
              source = "nomad-apm"
              query  = "percentage-allocated_cpu"
              strategy "target-value" {
                target = 70
              }
            }
            target "os-nova" {
              node_class = "{{nodeClass}}"
            }
          }
        }
        """;

    [Fact]
    public void Two_policy_files_for_one_pool_fail_naming_both_files_and_the_later_is_the_one_refused()
    {
        var dir = Path.Combine(_dir, "policies");
        var first = Write("policies/a-pool.hcl", PoolPolicy("pool_a", "nom-pool"));
        var second = Write("policies/b-pool.hcl", PoolPolicy("pool_b", "nom-pool"));
        Write("policies/c-other.hcl", PoolPolicy("other", "other-pool"));

        Assert.Equal(1, Run(dir));

        Assert.Equal(
            $"conflicting policies: policy \"pool_b\" in {second} drives the same target \"os-nova\" pool (node_class=\"nom-pool\") " +
            $"as policy \"pool_a\" in {first}, which was loaded first; it is refused: remove or disable one of them\n",
            _stderr.ToString().ReplaceLineEndings("\n"));
        Assert.EndsWith("Validation failed: 1 problem(s) in 3 file(s).\n", _stdout.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Policies_for_different_pools_pass()
    {
        Write("policies/a-pool.hcl", PoolPolicy("pool_a", "nom-pool"));
        Write("policies/b-pool.hcl", PoolPolicy("pool_b", "other-pool"));

        Assert.Equal(0, Run(Path.Combine(_dir, "policies")));
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public void Every_diagnostic_is_printed_with_its_line_and_caret_and_the_exit_code_is_1()
    {
        var config = Write("agent.hcl", "nomad {\n  adress = \"x\"\n}\nlog_json = \"yes\"\n");
        var policy = Write("policy.hcl", "scaling \"web\" {\n  enabled = true\n  policy {\n  }\n}\n");

        Assert.Equal(1, Run(config, policy));

        var errors = _stderr.ToString();
        Assert.Contains($"  {config}:2,3-9: Unsupported argument; An argument named \"adress\" is not expected here. Did you mean \"address\"?\n    2 |   adress = \"x\"\n          ^^^^^^", errors, StringComparison.Ordinal);
        Assert.Contains($"{config}:4,12-17: Incorrect attribute value type", errors, StringComparison.Ordinal);
        Assert.Contains($"{policy}:1,15-16: Missing required argument; The argument \"max\" is required", errors, StringComparison.Ordinal);
        Assert.Contains("Validation failed: 3 problem(s) in 2 file(s).", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Circonus_settings_are_refused_by_key_without_showing_the_token()
    {
        var config = Write("agent.hcl", "telemetry {\n  circonus_api_token = \"s3cr3t-token\"\n  statsd_address = \"127.0.0.1:8125\"\n}\n");

        Assert.Equal(1, Run(config));

        var output = _stdout.ToString() + _stderr.ToString();
        Assert.Contains("telemetry.circonus_api_token is not supported", output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-token", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_split_into_config_and_policy_files_by_content()
    {
        Write("mixed/agent.hcl", "policy {\n  default_cooldown = \"1m\"\n}\n");
        Write("mixed/web.json", """{"scaling": {"web": {"enabled": true, "max": 2, "policy": {"check": {"c": {"query": "avg_cpu", "strategy": {"target-value": {"target": 50}}}}, "target": {"nomad-target": {"Job": "j", "Group": "g"}}}}}}""");

        Assert.Equal(0, Run("-json", Path.Combine(_dir, "mixed")));

        var json = JsonNode.Parse(_stdout.ToString())!;
        Assert.Equal(["config", "policy"], json["files"]!.AsArray().Select(f => f!["kind"]!.GetValue<string>()));
        // The policy gets its default cooldown from the configuration validated with it.
        Assert.Equal("1m0s", json["policies"]![0]!["cooldown"]!.GetValue<string>());
        Assert.Contains("agent.hcl: agent configuration: ok", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_of_the_merged_config_fail_validation()
    {
        var config = Write("agent.hcl", "nomad {\n  address = \"nomad.service:4646\"\n}\n");

        Assert.Equal(1, Run(config));

        Assert.Contains("invalid configuration: nomad.address must be an absolute http(s) URL", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_log_level_is_a_warning_not_a_failure()
    {
        var config = Write("agent.hcl", "log_level = \"verbose\"\n");

        Assert.Equal(0, Run("-json", config));

        Assert.Contains("warning: log_level \"verbose\" is not one of trace, debug, info, warn, error, off; using info", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(JsonNode.Parse(_stdout.ToString())!["warnings"]!.AsArray());
    }

    [Fact]
    public void A_missing_path_fails()
    {
        Assert.Equal(1, Run(Path.Combine(_dir, "nope")));
        Assert.Contains("no such file or directory", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_flag_fails_with_a_hint()
    {
        Assert.Equal(1, Run("-yaml", "x"));
        Assert.Equal("flag provided but not defined: -yaml\nRun 'nomad-autoscaler validate --help' for more information.\n", _stderr.ToString().ReplaceLineEndings("\n"));
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no Plugins.sln above " + AppContext.BaseDirectory);
    }
}
