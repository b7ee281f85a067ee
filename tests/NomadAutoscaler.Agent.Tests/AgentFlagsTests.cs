using NomadAutoscaler.Agent.Cli;
using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Agent.Tests;

public sealed class AgentFlagsTests
{
    private static AgentCommandLine Parse(params string[] args) => AgentFlags.Parse(args, out _);

    private static ConfigFragment Flags(params string[] args) => Parse(args).Flags;

    // AgentCommandLine is internal, so the public theory data sees it as object.
    private static Func<object, object?> R(Func<AgentCommandLine, object?> read) => c => read((AgentCommandLine)c);

    /// <summary>One row per flag: the arguments and a check that they landed in the right place.</summary>
    public static TheoryData<string[], Func<object, object?>, object?> EveryFlag => new()
    {
        { ["-config=a.hcl", "-config", "dir"], R(c => string.Join("|", c.ConfigPaths)), "a.hcl|dir" },
        { ["-dev"], R(c => c.Dev), true },
        { ["-log-level=debug"], R(c => c.Flags.LogLevel), "debug" },
        { ["-log-json"], R(c => c.Flags.LogJson), true },
        { ["-log-include-location"], R(c => c.Flags.LogIncludeLocation), true },
        { ["-enable-debug"], R(c => c.Flags.EnableDebug), true },
        { ["-plugin-dir", "/p"], R(c => c.Flags.PluginDir), "/p" },
        { ["-http-bind-address=0.0.0.0"], R(c => c.Flags.HttpBindAddress), "0.0.0.0" },
        { ["-http-bind-port=9999"], R(c => c.Flags.HttpBindPort), 9999 },
        { ["-nomad-address=http://n:4646"], R(c => c.Flags.NomadAddress), "http://n:4646" },
        { ["-nomad-region=eu"], R(c => c.Flags.NomadRegion), "eu" },
        { ["-nomad-namespace=a", "-nomad-namespace", "b"], R(c => string.Join("|", c.Flags.NomadNamespaces!)), "a|b" },
        { ["-nomad-token=t"], R(c => c.Flags.NomadToken), "t" },
        { ["-nomad-http-auth=u:p"], R(c => c.Flags.NomadHttpAuth), "u:p" },
        { ["-nomad-ca-cert=/ca"], R(c => c.Flags.NomadCaCert), "/ca" },
        { ["-nomad-ca-path=/cas"], R(c => c.Flags.NomadCaPath), "/cas" },
        { ["-nomad-client-cert=/c"], R(c => c.Flags.NomadClientCert), "/c" },
        { ["-nomad-client-key=/k"], R(c => c.Flags.NomadClientKey), "/k" },
        { ["-nomad-tls-server-name=s"], R(c => c.Flags.NomadTlsServerName), "s" },
        { ["-nomad-skip-verify"], R(c => c.Flags.NomadSkipVerify), true },
        { ["-nomad-block-query-wait-time=1m"], R(c => c.Flags.NomadBlockQueryWaitTime), TimeSpan.FromMinutes(1) },
        { ["-policy-dir=/pol"], R(c => c.Flags.PolicyDir), "/pol" },
        { ["-policy-default-cooldown=1h30m"], R(c => c.Flags.PolicyDefaultCooldown), TimeSpan.FromMinutes(90) },
        { ["-policy-default-evaluation-interval=30s"], R(c => c.Flags.PolicyDefaultEvaluationInterval), TimeSpan.FromSeconds(30) },
        { ["-policy-eval-workers=cluster:2,horizontal:0"], R(c => string.Join("|", c.Flags.Workers.OrderBy(w => w.Key).Select(w => $"{w.Key}={w.Value}"))), "cluster=2|horizontal=0" },
        { ["-policy-source-disable-file"], R(c => c.Flags.FileSourceEnabled), false },
        { ["-policy-source-disable-nomad"], R(c => c.Flags.NomadSourceEnabled), false },
        { ["-telemetry-disable-hostname"], R(c => c.Flags.TelemetryDisableHostname), true },
        { ["-telemetry-enable-hostname-label"], R(c => c.Flags.TelemetryEnableHostnameLabel), true },
        { ["-telemetry-collection-interval=5s"], R(c => c.Flags.TelemetryCollectionInterval), TimeSpan.FromSeconds(5) },
        { ["-telemetry-prometheus-metrics"], R(c => c.Flags.TelemetryPrometheusMetrics), true },
        { ["-telemetry-prometheus-retention-time=1h"], R(c => c.Flags.TelemetryPrometheusRetentionTime), TimeSpan.FromHours(1) },
        { ["-telemetry-statsite-address=s:1"], R(c => c.Flags.TelemetryStatsiteAddress), "s:1" },
        { ["-telemetry-statsd-address=d:1"], R(c => c.Flags.TelemetryStatsdAddress), "d:1" },
        { ["-telemetry-dogstatsd-address=g:1"], R(c => c.Flags.TelemetryDogstatsdAddress), "g:1" },
        { ["-telemetry-dogstatsd-tags=a:1", "-telemetry-dogstatsd-tags=b:2"], R(c => string.Join("|", c.Flags.TelemetryDogstatsdTags!)), "a:1|b:2" },
        { ["-telemetry-circonus-api-token=x"], R(c => c.Flags.TelemetryCirconus["circonus_api_token"]), "x" },
        { ["-telemetry-circonus-api-app=x"], R(c => c.Flags.TelemetryCirconus["circonus_api_app"]), "x" },
        { ["-telemetry-circonus-api-url=x"], R(c => c.Flags.TelemetryCirconus["circonus_api_url"]), "x" },
        { ["-telemetry-circonus-submission-interval=x"], R(c => c.Flags.TelemetryCirconus["circonus_submission_interval"]), "x" },
        { ["-telemetry-circonus-submission-url=x"], R(c => c.Flags.TelemetryCirconus["circonus_submission_url"]), "x" },
        { ["-telemetry-circonus-check-id=x"], R(c => c.Flags.TelemetryCirconus["circonus_check_id"]), "x" },
        { ["-telemetry-circonus-check-force-metric-activation=x"], R(c => c.Flags.TelemetryCirconus["circonus_check_force_metric_activation"]), "x" },
        { ["-telemetry-circonus-check-instance-id=x"], R(c => c.Flags.TelemetryCirconus["circonus_check_instance_id"]), "x" },
        { ["-telemetry-circonus-check-search-tag=x"], R(c => c.Flags.TelemetryCirconus["circonus_check_search_tag"]), "x" },
        { ["-telemetry-circonus-check-tags=x"], R(c => c.Flags.TelemetryCirconus["circonus_check_tags"]), "x" },
        { ["-telemetry-circonus-check-display-name=x"], R(c => c.Flags.TelemetryCirconus["circonus_check_display_name"]), "x" },
        { ["-telemetry-circonus-broker-id=x"], R(c => c.Flags.TelemetryCirconus["circonus_broker_id"]), "x" },
        { ["-telemetry-circonus-broker-select-tag=x"], R(c => c.Flags.TelemetryCirconus["circonus_broker_select_tag"]), "x" },
        { ["-high-availability-enabled"], R(c => c.Flags.HaEnabled), true },
        { ["-high-availability-lock-namespace=ops"], R(c => c.Flags.HaLockNamespace), "ops" },
        { ["-high-availability-lock-path=l/p"], R(c => c.Flags.HaLockPath), "l/p" },
        { ["-high-availability-lock-ttl=20s"], R(c => c.Flags.HaLockTtl), TimeSpan.FromSeconds(20) },
        { ["-high-availability-lock-delay=5s"], R(c => c.Flags.HaLockDelay), TimeSpan.FromSeconds(5) },
    };

    [Theory]
    [MemberData(nameof(EveryFlag))]
    public void Every_flag_is_parsed(string[] args, Func<object, object?> read, object? expected) =>
        Assert.Equal(expected, read(Parse(args)));

    [Fact]
    public void The_table_covers_every_non_enterprise_flag()
    {
        var covered = EveryFlag.SelectMany(row => ((string[])row[0]).Where(a => a.StartsWith('-')).Select(a => a.TrimStart('-').Split('=')[0])).ToHashSet();
        var missing = AgentFlags.All.Select(f => f.Name)
            .Where(n => !n.StartsWith("das-", StringComparison.Ordinal) && !n.StartsWith("policy-eval-", StringComparison.Ordinal) || n == "policy-eval-workers")
            .Where(n => !covered.Contains(n));
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("-log-level=debug")]
    [InlineData("--log-level=debug")]
    [InlineData("-log-level", "debug")]
    [InlineData("--log-level", "debug")]
    public void Go_flag_syntax_forms_are_accepted(params string[] args) => Assert.Equal("debug", Flags(args).LogLevel);

    [Theory]
    [InlineData("-log-json=false", false)]
    [InlineData("-log-json=0", false)]
    [InlineData("-log-json=T", true)]
    [InlineData("--log-json", true)]
    public void Bool_flags_take_go_bool_values(string arg, bool expected) => Assert.Equal(expected, Flags(arg).LogJson);

    [Fact]
    public void Unset_and_empty_flags_leave_everything_unset()
    {
        var flags = Flags("-log-level=", "-http-bind-port=0", "-policy-default-cooldown=0s");

        Assert.Null(flags.LogLevel);
        Assert.Null(flags.HttpBindPort);
        Assert.Null(flags.PolicyDefaultCooldown);
        Assert.Null(flags.LogJson);
    }

    [Fact]
    public void The_last_value_of_a_single_valued_flag_wins() => Assert.Equal("error", Flags("-log-level=debug", "-log-level=error").LogLevel);

    [Fact]
    public void Help_flags_are_recognised()
    {
        AgentFlags.Parse(["-log-json", "-h"], out var help);
        Assert.True(help);
    }

    [Theory]
    [InlineData(new[] { "-nope" }, "flag provided but not defined: -nope")]
    [InlineData(new[] { "-config" }, "flag needs an argument: -config")]
    [InlineData(new[] { "-http-bind-port=eighty" }, "invalid value \"eighty\" for flag -http-bind-port: parse error")]
    [InlineData(new[] { "-policy-default-cooldown=5 minutes" }, "invalid value \"5 minutes\" for flag -policy-default-cooldown: parse error")]
    [InlineData(new[] { "-log-json=yes" }, "invalid boolean value \"yes\" for -log-json: parse error")]
    [InlineData(new[] { "---log-json" }, "bad flag syntax: ---log-json")]
    [InlineData(new[] { "-policy-eval-workers=cluster" }, "invalid value \"cluster\" for flag -policy-eval-workers: \"cluster\" should be in <key>:<value> format")]
    [InlineData(new[] { "-policy-eval-workers=cluster:ten" }, "invalid value \"cluster:ten\" for flag -policy-eval-workers: \"ten\" is not a number")]
    [InlineData(new[] { "-log-json", "false" }, "unexpected argument \"false\"; the agent takes only flags")]
    [InlineData(new[] { "-das-job-label=job" }, "-das-job-label is only supported in Nomad Autoscaler Enterprise")]
    [InlineData(new[] { "-das-evaluate-after=1h" }, "-das-evaluate-after is only supported in Nomad Autoscaler Enterprise")]
    [InlineData(new[] { "-das-cpu-metric", "cpu" }, "-das-cpu-metric is only supported in Nomad Autoscaler Enterprise")]
    [InlineData(new[] { "-policy-eval-ack-timeout=2m" }, "-policy-eval-ack-timeout is not supported: it tuned upstream's evaluation broker, which upstream removed in 0.4.8 and this agent never had (each policy runs one evaluation at a time); remove it")]
    [InlineData(new[] { "-policy-eval-delivery-limit", "4" }, "-policy-eval-delivery-limit is not supported: it tuned upstream's evaluation broker, which upstream removed in 0.4.8 and this agent never had (each policy runs one evaluation at a time); remove it")]
    public void Bad_flags_give_go_style_errors(string[] args, string message) =>
        Assert.Equal(message, Assert.Throws<FlagException>(() => Parse(args)).Message);

    [Fact]
    public void Flags_after_double_dash_are_positional() =>
        Assert.Equal("unexpected argument \"-log-json\"; the agent takes only flags", Assert.Throws<FlagException>(() => Parse("--", "-log-json")).Message);
}
