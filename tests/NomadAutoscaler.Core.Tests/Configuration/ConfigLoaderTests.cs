using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Tests.Configuration;

public sealed class ConfigLoaderTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("config-loader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private AgentConfig Load(params string[] paths) => ConfigLoader.Load(paths, null, NoEnvironment, _dir);

    [Fact]
    public void Defaults_match_upstream()
    {
        var config = Load();

        Assert.Equal("info", config.LogLevel);
        Assert.False(config.LogJson);
        Assert.Equal(Path.Combine(_dir, "plugins"), config.PluginDir);
        Assert.Equal(("127.0.0.1", 8080), (config.Http.BindAddress, config.Http.BindPort));
        Assert.Equal("http://127.0.0.1:4646", config.Nomad.Address);
        Assert.Equal(TimeSpan.FromMinutes(5), config.Nomad.BlockQueryWaitTime);
        Assert.Equal(TimeSpan.FromMinutes(5), config.Policy.DefaultCooldown);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Policy.DefaultEvaluationInterval);
        Assert.True(config.Policy.FileSourceEnabled && config.Policy.NomadSourceEnabled);
        Assert.Equal(new Dictionary<string, int> { ["cluster"] = 10, ["horizontal"] = 10 }, config.PolicyEval.Workers);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Telemetry.CollectionInterval);
        Assert.Equal(("default", "nomad-autoscaler/lock"), (config.HighAvailability.LockNamespace, config.HighAvailability.LockPath));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), (config.HighAvailability.LockTtl, config.HighAvailability.LockDelay));
        Assert.Equal(["nomad-apm"], config.Apms.Select(p => p.Name));
        Assert.Equal(["fixed-value", "pass-through", "target-value", "threshold"], config.Strategies.Select(p => p.Name));
        Assert.Equal(["nomad-target"], config.Targets.Select(p => p.Name));
    }

    [Fact]
    public void Every_block_is_decoded()
    {
        var path = Write("all.hcl", """
            log_level            = "debug"
            log_json             = true
            log_include_location = true
            enable_debug         = true
            plugin_dir           = "/opt/plugins"

            http {
              bind_address = "0.0.0.0"
              bind_port    = 9000
            }

            nomad {
              address               = "https://nomad.example:4646"
              region                = "eu"
              namespace             = "apps"
              token                 = "s3cret"
              http_auth             = "user:pass"
              ca_cert               = "/ca.pem"
              ca_path               = "/cas"
              client_cert           = "/cert.pem"
              client_key            = "/key.pem"
              tls_server_name       = "server.eu.nomad"
              skip_verify           = true
              block_query_wait_time = "1m30s"
            }

            policy {
              dir                         = "/etc/policies"
              default_cooldown            = "1m"
              default_evaluation_interval = "30s"
              source "nomad" {
                enabled = false
              }
              source "file" {}
            }

            policy_eval {
              # ack_timeout and delivery_limit are refused (Corpus/config/policy_eval_broker_keys.hcl)

              workers = {
                cluster = 2
                vertical_cpu = 0
              }
            }

            telemetry {
              disable_hostname          = true
              enable_hostname_label     = true
              collection_interval       = "5s"
              prometheus_metrics        = true
              prometheus_retention_time = "1h"
              statsite_address          = "statsite:8125"
              statsd_address            = "statsd:8125"
              dogstatsd_address         = "dogstatsd:8125"
              dogstatsd_tags            = ["env:prod", "team:ops"]
              # circonus_* is decoded but refused at load
              # (Circonus_settings_are_decoded_and_then_refused_by_key_at_load)
            }

            high_availability {
              enabled        = true
              lock_namespace = "ops"
              lock_path      = "locks/autoscaler"
              lock_ttl       = "20s"
              lock_delay     = "5s"
            }

            dynamic_application_sizing {}

            apm "prometheus" {
              driver = "prometheus"
              args   = ["-v"]
              config = {
                address = "http://prometheus:9090"
                limit   = 1000000
                strict  = true
              }
            }

            strategy "custom" {
              driver = "custom-strategy"
              mode   = "in-process"
            }

            target "os-nova" {
              driver = "os-nova"
            }
            """);

        var c = Load(path);

        Assert.Equal(("debug", true, true, true, "/opt/plugins"), (c.LogLevel, c.LogJson, c.LogIncludeLocation, c.EnableDebug, c.PluginDir));
        Assert.Equal(("0.0.0.0", 9000), (c.Http.BindAddress, c.Http.BindPort));
        Assert.Equal("https://nomad.example:4646", c.Nomad.Address);
        Assert.Equal("eu", c.Nomad.Region);
        Assert.Equal(["apps"], c.Nomad.Namespaces);
        Assert.Equal(("s3cret", "user:pass"), (c.Nomad.Token, c.Nomad.HttpAuth));
        Assert.Equal(("/ca.pem", "/cas", "/cert.pem", "/key.pem"), (c.Nomad.CaCert, c.Nomad.CaPath, c.Nomad.ClientCert, c.Nomad.ClientKey));
        Assert.Equal("server.eu.nomad", c.Nomad.TlsServerName);
        Assert.True(c.Nomad.SkipVerify);
        Assert.Equal(TimeSpan.FromSeconds(90), c.Nomad.BlockQueryWaitTime);
        Assert.Equal(("/etc/policies", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)), (c.Policy.Dir, c.Policy.DefaultCooldown, c.Policy.DefaultEvaluationInterval));
        Assert.True(c.Policy.FileSourceEnabled);
        Assert.False(c.Policy.NomadSourceEnabled);
        Assert.Equal(new Dictionary<string, int> { ["cluster"] = 2, ["horizontal"] = 10, ["vertical_cpu"] = 0 }, c.PolicyEval.Workers);
        Assert.True(c.Telemetry.DisableHostname && c.Telemetry.EnableHostnameLabel && c.Telemetry.PrometheusMetrics);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromHours(1)), (c.Telemetry.CollectionInterval, c.Telemetry.PrometheusRetentionTime));
        Assert.Equal(("statsite:8125", "statsd:8125", "dogstatsd:8125"), (c.Telemetry.StatsiteAddress, c.Telemetry.StatsdAddress, c.Telemetry.DogstatsdAddress));
        Assert.Equal(["env:prod", "team:ops"], c.Telemetry.DogstatsdTags);
        Assert.Equal((true, "ops", "locks/autoscaler"), (c.HighAvailability.Enabled, c.HighAvailability.LockNamespace, c.HighAvailability.LockPath));
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)), (c.HighAvailability.LockTtl, c.HighAvailability.LockDelay));

        var prometheus = Assert.Single(c.Apms, p => p.Name == "prometheus");
        Assert.Equal(["-v"], prometheus.Args);
        // Numbers keep their exact decimal text (upstream's %v would print 1e+06).
        Assert.Equal("1000000", prometheus.Config["limit"]);
        Assert.Equal("true", prometheus.Config["strict"]);
        Assert.Equal($"{path}:70", prometheus.DefinedAt);
        Assert.True(Assert.Single(c.Strategies, p => p.Name == "custom").InProcess);
        Assert.Equal("os-nova", Assert.Single(c.Targets, p => p.Name == "os-nova").Driver);
    }

    [Fact]
    public void Json_syntax_decodes_like_hcl()
    {
        var path = Write("agent.json", """
            {
              "log_level": "warn",
              "nomad": { "address": "http://10.0.0.1:4646", "namespace": ["a", "b"] },
              "policy": { "source": { "file": { "enabled": false } } },
              "target": { "os-nova": { "driver": "os-nova", "config": { "region_name": "RegionOne" } } }
            }
            """);

        var c = Load(path);

        Assert.Equal("warn", c.LogLevel);
        Assert.Equal("http://10.0.0.1:4646", c.Nomad.Address);
        Assert.Equal(["a", "b"], c.Nomad.Namespaces);
        Assert.False(c.Policy.FileSourceEnabled);
        Assert.Equal("RegionOne", c.Targets.Single(t => t.Name == "os-nova").Config["region_name"]);
    }

    [Fact]
    public void Later_files_win_and_a_bool_can_be_switched_back_off()
    {
        var first = Write("a.hcl", "log_json = true\nlog_level = \"debug\"\nhttp {\n  bind_port = 9000\n}\n");
        var second = Write("b.hcl", "log_json = false\nhttp {\n  bind_address = \"0.0.0.0\"\n}\n");

        var c = Load(first, second);

        // Upstream could not turn a bool off again; a later explicit false wins here.
        Assert.False(c.LogJson);
        Assert.Equal("debug", c.LogLevel);
        Assert.Equal(("0.0.0.0", 9000), (c.Http.BindAddress, c.Http.BindPort));
    }

    [Fact]
    public void An_unset_bool_in_a_later_file_keeps_the_earlier_value()
    {
        var first = Write("a.hcl", "enable_debug = true\n");
        var second = Write("b.hcl", "log_level = \"warn\"\n");

        Assert.True(Load(first, second).EnableDebug);
    }

    [Fact]
    public void A_directory_is_merged_in_name_order_skipping_editor_files_and_other_extensions()
    {
        Write("conf.d/20-second.hcl", "log_level = \"warn\"\n");
        Write("conf.d/10-first.hcl", "log_level = \"debug\"\nplugin_dir = \"/first\"\n");
        Write("conf.d/30-json.json", "{\"plugin_dir\": \"/json\"}");
        Write("conf.d/40-backup.hcl~", "log_level = \"trace\"\n");
        Write("conf.d/.#50-lock.hcl", "this is not hcl");
        Write("conf.d/#60-autosave.hcl#", "this is not hcl");
        Write("conf.d/notes.txt", "not config");
        Write("conf.d/nested/99.hcl", "log_level = \"error\"\n");

        var c = Load(Path.Combine(_dir, "conf.d"));

        Assert.Equal("warn", c.LogLevel);
        Assert.Equal("/json", c.PluginDir);
    }

    [Fact]
    public void Files_and_directories_merge_in_the_given_order()
    {
        Write("dir/a.hcl", "log_level = \"debug\"\n");
        var file = Write("late.hcl", "log_level = \"error\"\n");
        var early = Write("early.hcl", "log_level = \"trace\"\n");

        Assert.Equal("error", Load(early, Path.Combine(_dir, "dir"), file).LogLevel);
        Assert.Equal("debug", Load(file, Path.Combine(_dir, "dir")).LogLevel);
    }

    [Fact]
    public void Plugin_blocks_merge_by_label()
    {
        var first = Write("a.hcl", """
            target "os-nova" {
              driver = "os-nova"
              args   = ["-a"]
              config = { region_name = "One" }
            }
            """);
        var second = Write("b.hcl", """
            target "os-nova" {
              driver = "os-nova"
              config = { region_name = "Two", auth_url = "https://keystone:5000/v3" }
            }
            target "nomad-target" {
              driver = "nomad-target"
              config = { extra = "1" }
            }
            apm "prometheus" {
              driver = "prometheus"
            }
            """);

        var c = Load(first, second);

        var nova = c.Targets.Single(t => t.Name == "os-nova");
        Assert.Equal("os-nova", nova.Driver);
        Assert.Equal(["-a"], nova.Args);
        Assert.Equal(new Dictionary<string, string> { ["region_name"] = "Two", ["auth_url"] = "https://keystone:5000/v3" }, nova.Config);
        Assert.Equal("1", c.Targets.Single(t => t.Name == "nomad-target").Config["extra"]);
        Assert.Equal(["nomad-apm", "prometheus"], c.Apms.Select(a => a.Name));
        Assert.Equal(["nomad-target", "os-nova"], c.Targets.Select(t => t.Name));
    }

    [Fact]
    public void Workers_merge_key_by_key()
    {
        var first = Write("a.hcl", "policy_eval {\n  workers = { cluster = 1 }\n}\n");
        var second = Write("b.hcl", "policy_eval {\n  workers = { horizontal = 4 }\n}\n");

        Assert.Equal(new Dictionary<string, int> { ["cluster"] = 1, ["horizontal"] = 4 }, Load(first, second).PolicyEval.Workers);
    }

    [Theory]
    [InlineData("\"apps\"", new[] { "apps" })]
    [InlineData("[\" apps \", \"\", \"web\", \"apps\"]", new[] { "apps", "web" })]
    [InlineData("[\"apps\", \"*\"]", new[] { "*" })]
    public void Namespaces_are_normalised(string value, string[] expected)
    {
        var path = Write("ns.hcl", $"nomad {{\n  namespace = {value}\n}}\n");

        Assert.Equal(expected, Load(path).Nomad.Namespaces);
    }

    [Fact]
    public void A_later_namespace_list_replaces_the_earlier_one()
    {
        var first = Write("a.hcl", "nomad {\n  namespace = [\"a\", \"b\"]\n}\n");
        var second = Write("b.hcl", "nomad {\n  namespace = \"c\"\n}\n");

        Assert.Equal(["c"], Load(first, second).Nomad.Namespaces);
    }

    [Fact]
    public void Environment_fills_what_no_file_sets()
    {
        var env = new Dictionary<string, string?>
        {
            ["NOMAD_ADDR"] = "http://env:4646",
            ["NOMAD_REGION"] = "env-region",
            ["NOMAD_NAMESPACE"] = "env-ns",
            ["NOMAD_TOKEN"] = "env-token",
            ["NOMAD_HTTP_AUTH"] = "u:p",
            ["NOMAD_CACERT"] = "/env/ca.pem",
            ["NOMAD_CAPATH"] = "/env/cas",
            ["NOMAD_CLIENT_CERT"] = "/env/cert.pem",
            ["NOMAD_CLIENT_KEY"] = "/env/key.pem",
            ["NOMAD_TLS_SERVER_NAME"] = "env.server",
            ["NOMAD_SKIP_VERIFY"] = "true",
        };
        var file = Write("a.hcl", "nomad {\n  region = \"file-region\"\n}\n");

        var c = ConfigLoader.Load([file], null, env, _dir).Nomad;

        Assert.Equal("http://env:4646", c.Address);
        Assert.Equal("file-region", c.Region);
        Assert.Equal(["env-ns"], c.Namespaces);
        Assert.Equal(("env-token", "u:p"), (c.Token, c.HttpAuth));
        Assert.Equal(("/env/ca.pem", "/env/cas", "/env/cert.pem", "/env/key.pem"), (c.CaCert, c.CaPath, c.ClientCert, c.ClientKey));
        Assert.Equal("env.server", c.TlsServerName);
        Assert.True(c.SkipVerify);
    }

    [Fact]
    public void Flags_win_over_files_and_environment_and_survive_a_reload()
    {
        var file = Write("a.hcl", "log_level = \"debug\"\nnomad {\n  address = \"http://file:4646\"\n}\n");
        var env = new Dictionary<string, string?> { ["NOMAD_ADDR"] = "http://env:4646" };
        var flags = new ConfigFragment { LogLevel = "error", NomadAddress = "http://flag:4646", LogJson = false };

        var first = ConfigLoader.Load([file], flags, env, _dir);
        File.WriteAllText(file, "log_level = \"trace\"\nlog_json = true\nplugin_dir = \"/reloaded\"\n");
        var reloaded = ConfigLoader.Load([file], flags, env, _dir);

        Assert.Equal(("error", "http://flag:4646"), (first.LogLevel, first.Nomad.Address));
        Assert.Equal(("error", "http://flag:4646", "/reloaded"), (reloaded.LogLevel, reloaded.Nomad.Address, reloaded.PluginDir));
        Assert.False(reloaded.LogJson);
    }

    [Fact]
    public void Circonus_settings_are_decoded_and_then_refused_by_key_at_load()
    {
        var path = Write("agent.hcl", "telemetry {\n  circonus_api_token  = \"circ\"\n  circonus_check_tags = \"a,b\"\n}\n");

        var failure = Assert.Throws<ConfigException>(() => Load(path));

        Assert.Equal(
            ["invalid configuration: telemetry.circonus_api_token is not supported", "invalid configuration: telemetry.circonus_check_tags is not supported"],
            failure.Problems.Select(p => p[..p.IndexOf(':', "invalid configuration: ".Length)]));
        Assert.DoesNotContain("circ\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_of_every_file_is_reported_together()
    {
        var first = Write("a.hcl", "log_levle = \"debug\"\nhttp {\n  bind_port = \"x\"\n}\n");
        var second = Write("b.hcl", "nomad {\n  adress = \"x\"\n}\n");

        var failure = Assert.Throws<ConfigException>(() => Load(first, second));

        Assert.Equal(2, failure.Problems.Count);
        Assert.Contains("Did you mean \"log_level\"?", failure.Problems[0], StringComparison.Ordinal);
        Assert.Contains("bind_port", failure.Problems[0], StringComparison.Ordinal);
        Assert.Contains($"{second}:2,3-9", failure.Problems[1], StringComparison.Ordinal);
        // The rendered diagnostic shows the line and a caret under the offending name.
        Assert.Contains("  2 |   adress = \"x\"\n        ^^^^^^", failure.Problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_is_an_error()
    {
        var missing = Path.Combine(_dir, "nope.hcl");

        var failure = Assert.Throws<ConfigException>(() => Load(missing));

        Assert.Equal($"error loading configuration from {missing}: no such file or directory", Assert.Single(failure.Problems));
    }

    [Fact]
    public void A_later_block_that_changes_a_plugin_driver_is_refused_naming_both_blocks()
    {
        var first = Write("a.hcl", "apm \"metrics\" {\n  driver = \"prometheus\"\n}\n");
        var second = Write("b.hcl", "apm \"metrics\" {\n  driver = \"datadog\"\n}\n\ntarget \"nomad-target\" {\n  driver = \"os-nova\"\n}\n");

        var failure = Assert.Throws<ConfigException>(() => Load(first, second));

        Assert.Equal(
            [
                $"error loading configuration from {second}: apm[metrics] -> driver \"datadog\" at {second}:1 differs from driver \"prometheus\" of the block defined at {first}:1; a block's driver cannot change, give the new block another name",
                $"error loading configuration from {second}: target[nomad-target] -> driver \"os-nova\" at {second}:5 differs from driver \"nomad-target\" of the block built in; a block's driver cannot change, give the new block another name",
            ],
            failure.Problems);
        // The same driver again is a plain merge.
        Assert.Equal("prometheus", Assert.Single(Load(first, first).Apms, p => p.Name == "metrics").Driver);
    }

    [Fact]
    public void Invalid_flag_values_are_caught_by_validation()
    {
        var flags = new ConfigFragment { HttpBindPort = -1 };
        flags.Workers["cluster"] = -3;

        var failure = Assert.Throws<ConfigException>(() => ConfigLoader.Load([], flags, NoEnvironment, _dir));

        Assert.Equal(
            [
                "invalid configuration: http.bind_port must be between 0 and 65535; got -1",
                "invalid configuration: policy_workers -> number of workers for \"cluster\" must be positive",
            ],
            failure.Problems);
    }

    [Fact]
    public void Seed_agent_config_decodes_unmodified()
    {
        var diagnostics = new HclDiagnostics();
        ConfigDecoder.DecodeFile(Path.Combine(RepoFiles.Seed, "agent.hcl"), diagnostics);
        Assert.Empty(diagnostics);

        var c = Load(Path.Combine(RepoFiles.Seed, "agent.hcl"));

        Assert.Equal(("http://127.0.0.1:4646", "stage"), (c.Nomad.Address, c.Nomad.Region));
        Assert.Equal(("192.168.5.164", 9999), (c.Http.BindAddress, c.Http.BindPort));
        Assert.Equal("nomad-apm", c.Apms.Single(a => a.Name == "nomad-apm").Driver);
        Assert.Equal("target-value", c.Strategies.Single(s => s.Name == "target-value").Driver);
        var nova = c.Targets.Single(t => t.Name == "os-nova");
        Assert.Equal("os-nova", nova.Driver);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["auth_url"] = "https://plage1.api.pco.get-cloud.io:5000/v3",
                ["username"] = "tbueker",
                ["password"] = "geheim",
                ["domain_name"] = "pco",
                ["project_id"] = "a66cd244776d4602bf88eb6a663c287a",
                ["region_name"] = "RegionOne",
            },
            nova.Config);
    }
}
