using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.PassThrough;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class PassThroughStrategyTests
{
    private readonly CapturingLogger<PassThroughStrategy> _logger = new();

    private ScalingAction Run(long count, string config, params double[] metrics)
        => new PassThroughStrategy(_logger).Run(TestRequests.Create("pass-through", count, TestRequests.Config(config), metrics));

    [Theory]
    // Upstream's pass-through behaviour: the metric is the new count, within max_scale_up/max_scale_down.
    [InlineData(3, 7, "", 7, ScalingDirection.Up, "scaling up because metric is 7")]
    [InlineData(3, 7, "max_scale_up=2", 5, ScalingDirection.Up, "scaling up because metric is 7")]
    [InlineData(8, 2, "max_scale_down=3", 5, ScalingDirection.Down, "scaling down because metric is 2")]
    [InlineData(3, 3.7, "", 3, ScalingDirection.Up, "scaling up because metric is 3")]
    [InlineData(3, -4, "", -4, ScalingDirection.Down, "scaling down because metric is -4")]
    [InlineData(3, 3, "", 0, ScalingDirection.None, "")]
    // Truncation is toward zero, and limits that do not bind change nothing.
    [InlineData(3, -0.9, "", 0, ScalingDirection.Down, "scaling down because metric is 0")]
    [InlineData(3, 9.99, "max_scale_up=10;max_scale_down=0", 9, ScalingDirection.Up, "scaling up because metric is 9")]
    // Each limit applies only in its own direction.
    [InlineData(3, 9, "max_scale_down=1", 9, ScalingDirection.Up, "scaling up because metric is 9")]
    [InlineData(9, 3, "max_scale_up=1", 3, ScalingDirection.Down, "scaling down because metric is 3")]
    public void Examples_match_upstream(long count, double metric, string config, long expectedCount, ScalingDirection expectedDirection,
        string expectedReason)
    {
        var action = Run(count, config, metric);

        Assert.Equal((expectedCount, expectedDirection, expectedReason), (action.Count, action.Direction, action.Reason));
    }

    [Fact]
    public void Only_the_newest_point_counts()
        => Assert.Equal(7, Run(3, "", 100, 1, 7).Count);

    [Fact]
    public void No_metrics_gives_the_empty_action()
    {
        var action = Run(3, "max_scale_up=2");

        Assert.Equal((0L, ScalingDirection.None, ""), (action.Count, action.Direction, action.Reason));
    }

    [Fact]
    public void Limits_are_parsed_before_metrics_are_looked_at()
        => Assert.Throws<PluginConfigException>(() => Run(3, "max_scale_up=x"));

    [Fact]
    public void A_NaN_metric_never_scales()
        => Assert.Equal(ScalingDirection.None, Run(3, "", double.NaN).Direction);

    [Fact]
    public void An_infinite_metric_saturates_and_limits_still_apply()
    {
        Assert.Equal((long.MaxValue, "scaling up because metric is 9223372036854775807"),
            (Run(3, "", double.PositiveInfinity).Count, Run(3, "", double.PositiveInfinity).Reason));
        Assert.Equal(5, Run(3, "max_scale_up=2", double.PositiveInfinity).Count);
    }

    [Theory]
    [InlineData("max_scale_up=not-the-int-you're-looking-for", "invalid value for `max_scale_up`: not-the-int-you're-looking-for (string)")]
    [InlineData("max_scale_down=not-the-int-you're-looking-for", "invalid value for `max_scale_down`: not-the-int-you're-looking-for (string)")]
    [InlineData("max_scale_up=2.5", "invalid value for `max_scale_up`: 2.5 (string)")]
    [InlineData("max_scale_up=1e+06", "invalid value for `max_scale_up`: 1e+06 (string)")]
    [InlineData("max_scale_up=x;max_scale_down=y", "invalid value for `max_scale_up`: x (string)")]
    public void Bad_configuration_fails_with_upstreams_exact_text(string config, string expectedMessage)
    {
        var error = Assert.Throws<PluginConfigException>(() => Run(3, config, 7));

        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void Scaling_is_traced_with_upstreams_pairs()
    {
        Run(3, "max_scale_up=2", 7);

        var entry = _logger.Single("calculated scaling strategy results");
        Assert.Equal(LogLevel.Trace, entry.Level);
        Assert.Equal(
            ["check_name", "current_count", "new_count", "metric_value", "metric_time", "direction", "max_scale_up", "max_scale_down"],
            entry.Keys);
        Assert.Equal(5L, entry["new_count"]);
        Assert.Equal(7.0, entry["metric_value"]);
        Assert.Equal(TestRequests.Start, entry["metric_time"]);
        Assert.Equal("2", entry["max_scale_up"]);
        Assert.Equal("-Inf", entry["max_scale_down"]);
    }

    [Fact]
    public async Task RunAsync_gives_the_same_result_as_Run()
    {
        var request = TestRequests.Create("pass-through", 3, TestRequests.Config(""), 7);

        var action = await new PassThroughStrategy(_logger).RunAsync(request, CancellationToken.None);

        Assert.Equal((7L, ScalingDirection.Up), (action.Count, action.Direction));
    }
}
