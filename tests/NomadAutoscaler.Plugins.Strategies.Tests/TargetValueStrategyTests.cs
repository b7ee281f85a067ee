using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.TargetValue;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class TargetValueStrategyTests
{
    private readonly CapturingLogger<TargetValueStrategy> _logger = new();

    private ScalingAction Run(long count, string config, params double[] metrics)
        => new TargetValueStrategy(_logger).Run(TestRequests.Create("target-value", count, TestRequests.Config(config), metrics));

    [Theory]
    // Worked examples of upstream's target-value strategy (target = 70 unless stated).
    [InlineData(3, 82, "", 4, ScalingDirection.Up, "scaling up because factor is 1.171429")]
    [InlineData(1, 232.04804, "", 4, ScalingDirection.Up, "scaling up because factor is 3.314972")]
    [InlineData(10, 69.5, "", 0, ScalingDirection.None, "")]
    [InlineData(10, 28, "", 4, ScalingDirection.Down, "scaling down because factor is 0.400000")]
    [InlineData(10, 28, "max_scale_down=3", 7, ScalingDirection.Down, "scaling down because factor is 0.400000")]
    [InlineData(2, 700, "max_scale_up=5", 7, ScalingDirection.Up, "scaling up because factor is 10.000000")]
    [InlineData(0, 5, "target=2", 3, ScalingDirection.Up, "scaling up because factor is 2.500000")]
    [InlineData(0, 0, "", 0, ScalingDirection.None, "")]
    [InlineData(4, 0, "", 0, ScalingDirection.Down, "scaling down because factor is 0.000000")]
    [InlineData(2, 3, "target=0", 6, ScalingDirection.Up, "scaling up because factor is 3.000000")]
    [InlineData(7, 29, "target=7", 30, ScalingDirection.Up, "scaling up because factor is 4.142857")]
    [InlineData(5, 70, "threshold=0", 0, ScalingDirection.None, "")]
    // The mission's surprise: one evaluation jumps 2 → ceil(2 × 3.314972) = 7; max_scale_up=1 turns it into 2 → 3.
    [InlineData(2, 232.04804, "", 7, ScalingDirection.Up, "scaling up because factor is 3.314972")]
    [InlineData(2, 232.04804, "max_scale_up=1", 3, ScalingDirection.Up, "scaling up because factor is 3.314972")]
    public void Worked_examples_match_upstream(long count, double metric, string extraConfig, long expectedCount,
        ScalingDirection expectedDirection, string expectedReason)
    {
        var config = extraConfig.StartsWith("target=", StringComparison.Ordinal) ? extraConfig : "target=70;" + extraConfig;

        var action = Run(count, config, metric);

        Assert.Equal((expectedCount, expectedDirection, expectedReason), (action.Count, action.Direction, action.Reason));
        Assert.False(action.Error);
    }

    [Fact]
    public void Seven_times_29_over_7_is_not_exactly_29_so_the_ceiling_is_30()
    {
        var factor = 29.0 / 7.0;

        Assert.Equal(29.000000000000004, 7 * factor);
        Assert.Equal(30, Run(7, "target=7", 29).Count);
    }

    [Theory]
    [InlineData("", "missing required field `target`")]
    [InlineData("target=", "missing required field `target`")]
    [InlineData("threshold=x;max_scale_up=y", "missing required field `target`")]
    [InlineData("target=abc", "invalid value for `target`: abc (string)")]
    [InlineData("target= 70", "invalid value for `target`:  70 (string)")]
    [InlineData("target=70%", "invalid value for `target`: 70% (string)")]
    [InlineData("target=1e400", "invalid value for `target`: 1e400 (string)")]
    [InlineData("target=abc;threshold=x", "invalid value for `target`: abc (string)")]
    [InlineData("target=70;threshold=x", "invalid value for `threshold`: x (string)")]
    [InlineData("target=70;threshold=0,5", "invalid value for `threshold`: 0,5 (string)")]
    [InlineData("target=70;max_scale_up=1.5", "invalid value for `max_scale_up`: 1.5 (string)")]
    [InlineData("target=70;max_scale_up=1e+06", "invalid value for `max_scale_up`: 1e+06 (string)")]
    [InlineData("target=70;max_scale_up=x;max_scale_down=y", "invalid value for `max_scale_up`: x (string)")]
    [InlineData("target=70;max_scale_down=abc", "invalid value for `max_scale_down`: abc (string)")]
    [InlineData("target=70;max_scale_down=9223372036854775808", "invalid value for `max_scale_down`: 9223372036854775808 (string)")]
    public void Bad_configuration_fails_with_upstreams_exact_text(string config, string expectedMessage)
    {
        var error = Assert.Throws<PluginConfigException>(() => Run(3, config, 82));

        Assert.Equal(expectedMessage, error.Message);
        Assert.Empty(error.Violations);
    }

    [Theory]
    [InlineData("7e1")]
    [InlineData("70.0")]
    [InlineData("+70")]
    [InlineData("7_0")]
    [InlineData("0x1.18p6")]
    public void Target_accepts_every_Go_float_spelling(string target)
    {
        var action = Run(3, "target=" + target, 82);

        Assert.Equal((4L, ScalingDirection.Up), (action.Count, action.Direction));
    }

    [Fact]
    public void Limits_accept_a_plus_sign_as_Go_ParseInt_does()
        => Assert.Equal(3, Run(2, "target=70;max_scale_up=+1", 232.04804).Count);

    [Fact]
    public void An_infinite_target_gives_factor_zero_and_scales_to_zero()
    {
        var action = Run(4, "target=Inf", 82);

        Assert.Equal((0L, ScalingDirection.Down, "scaling down because factor is 0.000000"), (action.Count, action.Direction, action.Reason));
    }

    [Fact]
    public void Only_the_newest_point_counts()
        => Assert.Equal(4, Run(3, "target=70", 500, 10, 82).Count);

    [Fact]
    public void Threshold_widens_the_dead_band()
    {
        Assert.Equal(ScalingDirection.Up, Run(10, "target=70", 80.5).Direction);
        Assert.Equal(ScalingDirection.None, Run(10, "target=70;threshold=0.2", 80.5).Direction);
    }

    [Fact]
    public void A_factor_exactly_on_the_band_edge_does_not_scale()
    {
        // 1 + 0.25 is exact in binary, so the strict comparison decides.
        Assert.Equal(ScalingDirection.None, Run(4, "target=4;threshold=0.25", 5).Direction);
        Assert.Equal(ScalingDirection.Up, Run(4, "target=4;threshold=0.25", 5.0001).Direction);
    }

    [Fact]
    public void A_limit_that_does_not_bind_leaves_the_count()
        => Assert.Equal(4, Run(3, "target=70;max_scale_up=5;max_scale_down=0", 82).Count);

    [Fact]
    public void No_metrics_gives_the_empty_action()
    {
        var action = Run(3, "target=70");

        Assert.Equal((0L, ScalingDirection.None, ""), (action.Count, action.Direction, action.Reason));
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Configuration_errors_win_over_missing_metrics()
        => Assert.Throws<PluginConfigException>(() => Run(3, "target=abc"));

    [Fact]
    public void A_NaN_metric_never_scales()
    {
        Assert.Equal(ScalingDirection.None, Run(3, "target=70", double.NaN).Direction);
        Assert.Equal(ScalingDirection.None, Run(0, "target=70", double.NaN).Direction);
    }

    [Fact]
    public void An_infinite_metric_saturates_the_count_and_the_agent_caps_it()
    {
        var up = Run(3, "target=70", double.PositiveInfinity);
        var limited = Run(3, "target=70;max_scale_up=2", double.PositiveInfinity);
        var down = Run(3, "target=70", double.NegativeInfinity);

        Assert.Equal((long.MaxValue, ScalingDirection.Up, "scaling up because factor is +Inf"), (up.Count, up.Direction, up.Reason));
        Assert.Equal(5, limited.Count);
        Assert.Equal((long.MinValue, ScalingDirection.Down, "scaling down because factor is -Inf"), (down.Count, down.Direction, down.Reason));
    }

    [Fact]
    public void A_factor_on_an_exact_decimal_tie_is_printed_half_to_even_like_Go()
        => Assert.Equal("scaling up because factor is 0.007812", Run(0, "target=128", 1).Reason);

    [Fact]
    public void Scaling_is_traced_with_upstreams_pairs()
    {
        Run(3, "target=70", 82);

        var entry = _logger.Single("calculated scaling strategy results");
        Assert.Equal(LogLevel.Trace, entry.Level);
        Assert.Equal(
            ["check_name", "current_count", "new_count", "metric_value", "metric_time", "factor", "direction", "max_scale_up", "max_scale_down"],
            entry.Keys);
        Assert.Equal("cpu", entry["check_name"]);
        Assert.Equal(3L, entry["current_count"]);
        Assert.Equal(4L, entry["new_count"]);
        Assert.Equal(82.0, entry["metric_value"]);
        Assert.Equal(TestRequests.Start, entry["metric_time"]);
        Assert.Equal(82.0 / 70.0, entry["factor"]);
        Assert.Equal("up", entry["direction"]);
        Assert.Equal("+Inf", entry["max_scale_up"]);
        Assert.Equal("-Inf", entry["max_scale_down"]);
    }

    [Fact]
    public void The_trace_shows_configured_limits_and_the_limited_count()
    {
        Run(10, "target=70;max_scale_up=2;max_scale_down=3", 28);

        var entry = _logger.Single("calculated scaling strategy results");
        Assert.Equal(7L, entry["new_count"]);
        Assert.Equal("2", entry["max_scale_up"]);
        Assert.Equal("3", entry["max_scale_down"]);
    }

    [Fact]
    public void Nothing_is_traced_when_the_direction_is_none()
    {
        Run(10, "target=70", 69.5);

        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task RunAsync_gives_the_same_result_as_Run()
    {
        var request = TestRequests.Create("target-value", 3, TestRequests.Config("target=70"), 82);

        var action = await new TargetValueStrategy(_logger).RunAsync(request, CancellationToken.None);

        Assert.Equal((4L, ScalingDirection.Up), (action.Count, action.Direction));
    }

    [Fact]
    public async Task Agent_level_configuration_is_accepted_and_ignored()
    {
        var strategy = new TargetValueStrategy(_logger);

        await strategy.ConfigureAsync(new TargetValueOptions(), CancellationToken.None);

        Assert.Equal(4, strategy.Run(TestRequests.Create("target-value", 3, TestRequests.Config("target=70"), 82)).Count);
    }
}
