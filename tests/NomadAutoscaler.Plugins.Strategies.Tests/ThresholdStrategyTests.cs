using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Threshold;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class ThresholdStrategyTests
{
    private readonly CapturingLogger<ThresholdStrategy> _logger = new();

    private ScalingAction Run(long count, string config, params double[] metrics)
        => new ThresholdStrategy(_logger).Run(TestRequests.Create("threshold", count, TestRequests.Config(config), metrics));

    // Metrics with `inBounds` points at `inside` and `outOfBounds` at `outside`, interleaved so that the in-bounds points
    // are not consecutive.
    private static double[] Points(int inBounds, double inside, int outOfBounds, double outside)
    {
        var points = new List<double>();
        for (var i = 0; i < Math.Max(inBounds, outOfBounds); i++)
        {
            if (i < outOfBounds) points.Add(outside);
            if (i < inBounds) points.Add(inside);
        }

        return [.. points];
    }

    [Theory]
    // Worked examples of upstream's threshold strategy: count, config, points in bounds (+ points outside), expected result.
    [InlineData(4, "lower_bound=70;upper_bound=100;delta=1", 12, 85, 3, 50, 5, ScalingDirection.Up, "scaling up because metric is within bounds")]
    [InlineData(4, "lower_bound=0;upper_bound=30;delta=-1", 3, 10, 58, 50, 0, ScalingDirection.None, "")]
    [InlineData(10, "lower_bound=0;upper_bound=30;percentage=-25", 60, 12, 1, 45, 8, ScalingDirection.Down, "scaling down because metric is within bounds")]
    [InlineData(10, "lower_bound=80;percentage=50", 6, 95, 55, 60, 15, ScalingDirection.Up, "scaling up because metric is within bounds")]
    [InlineData(1, "lower_bound=0;upper_bound=20;percentage=-50", 61, 5, 0, 0, 0, ScalingDirection.None, "")]
    [InlineData(2, "lower_bound=90;value=6;within_bounds_trigger=1", 1, 97, 0, 0, 6, ScalingDirection.Up, "scaling up because metric is within bounds")]
    [InlineData(3, "lower_bound=0;upper_bound=10;delta=-5", 5, 2, 0, 0, 0, ScalingDirection.Down, "scaling down because metric is within bounds")]
    [InlineData(5, "lower_bound=70;upper_bound=100;delta=1", 0, 0, 8, 100, 0, ScalingDirection.None, "")]
    public void Worked_examples_match_upstream(long count, string config, int inBounds, double inside, int outOfBounds, double outside,
        long expectedCount, ScalingDirection expectedDirection, string expectedReason)
    {
        var action = Run(count, config, Points(inBounds, inside, outOfBounds, outside));

        Assert.Equal((expectedCount, expectedDirection, expectedReason), (action.Count, action.Direction, action.Reason));
    }

    [Fact]
    public void The_upper_bound_is_exclusive_and_the_lower_bound_inclusive()
    {
        Assert.Equal(ScalingDirection.None, Run(5, "lower_bound=70;upper_bound=100;delta=1;within_bounds_trigger=1", 100).Direction);
        Assert.Equal(6, Run(5, "lower_bound=70;upper_bound=100;delta=1;within_bounds_trigger=1", 70).Count);
    }

    [Fact]
    public void The_default_trigger_of_five_never_fires_on_a_single_point()
    {
        Assert.Equal(ScalingDirection.None, Run(4, "lower_bound=70;delta=1", 85).Direction);
        Assert.Equal(ScalingDirection.None, Run(4, "lower_bound=70;delta=1", 85, 85, 85, 85).Direction);
        Assert.Equal(5, Run(4, "lower_bound=70;delta=1", 85, 85, 85, 85, 85).Count);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void A_trigger_of_zero_or_less_always_fires(string trigger)
        => Assert.Equal(5, Run(4, "lower_bound=70;upper_bound=80;delta=1;within_bounds_trigger=" + trigger, 10).Count);

    [Fact]
    public void Percentage_cannot_leave_zero()
        => Assert.Equal(ScalingDirection.None, Run(0, "upper_bound=10;percentage=500;within_bounds_trigger=1", 1).Direction);

    [Theory]
    [InlineData("-99", 0, ScalingDirection.None)]
    [InlineData("-100", 0, ScalingDirection.Down)]
    [InlineData("-150", 0, ScalingDirection.Down)]
    public void From_one_only_minus_100_percent_or_less_reaches_zero(string percentage, long expectedCount, ScalingDirection expectedDirection)
    {
        var action = Run(1, "upper_bound=10;within_bounds_trigger=1;percentage=" + percentage, 1);

        Assert.Equal((expectedCount, expectedDirection), (action.Count, action.Direction));
    }

    [Fact]
    public void A_value_action_sets_the_count_in_either_direction()
    {
        Assert.Equal((2L, ScalingDirection.Down), Pair(Run(9, "upper_bound=10;value=2;within_bounds_trigger=1", 1)));
        Assert.Equal(ScalingDirection.None, Run(2, "upper_bound=10;value=2;within_bounds_trigger=1", 1).Direction);
    }

    [Fact]
    public void Unset_bounds_are_finite_so_infinite_points_stay_outside()
    {
        Assert.Equal(ScalingDirection.None, Run(4, "lower_bound=0;delta=1;within_bounds_trigger=1", double.PositiveInfinity).Direction);
        Assert.Equal(ScalingDirection.None, Run(4, "upper_bound=0;delta=1;within_bounds_trigger=1", double.NegativeInfinity).Direction);
        Assert.Equal(ScalingDirection.None, Run(4, "upper_bound=0;delta=1;within_bounds_trigger=1", double.NaN).Direction);
        Assert.Equal(5, Run(4, "lower_bound=-Inf;delta=1;within_bounds_trigger=1", double.NegativeInfinity).Count);
    }

    [Fact]
    public void No_metrics_gives_the_empty_action_before_the_configuration_is_read()
    {
        var action = Run(4, "");

        Assert.Equal((0L, ScalingDirection.None, ""), (action.Count, action.Direction, action.Reason));
        Assert.Equal("no metrics available", Assert.Single(_logger.Entries).Message);
    }

    [Theory]
    [InlineData("delta=1", "missing required field, must have either \"lower_bound\" or \"upper_bound\"")]
    [InlineData("lower_bound=;upper_bound=;delta=1", "missing required field, must have either \"lower_bound\" or \"upper_bound\"")]
    [InlineData("upper_bound=high;delta=1", "invalid value for \"upper_bound\": high (string)")]
    [InlineData("upper_bound=high;lower_bound=low;delta=1", "invalid value for \"upper_bound\": high (string)")]
    [InlineData("lower_bound=low;delta=1", "invalid value for \"lower_bound\": low (string)")]
    [InlineData("lower_bound=1e999;delta=1", "invalid value for \"lower_bound\": 1e999 (string)")]
    [InlineData("lower_bound=1;within_bounds_trigger=2.0;delta=1", "invalid value for \"within_bounds_trigger\": 2.0 (string)")]
    [InlineData("lower_bound=1;within_bounds_trigger=x", "invalid value for \"within_bounds_trigger\": x (string)")]
    [InlineData("lower_bound=1", "missing required field, must have either \"delta\", \"percentage\" or \"value\"")]
    [InlineData("lower_bound=1;delta=;percentage=;value=", "missing required field, must have either \"delta\", \"percentage\" or \"value\"")]
    [InlineData("lower_bound=1;delta=1;percentage=10", "only one of \"delta\", \"percentage\" or \"value\" must be provided")]
    [InlineData("lower_bound=1;delta=x;value=y", "only one of \"delta\", \"percentage\" or \"value\" must be provided")]
    [InlineData("lower_bound=1;delta=1.5", "\"delta\" value 1.5 is not an interger")]
    [InlineData("lower_bound=1;delta=1e+06", "\"delta\" value 1e+06 is not an interger")]
    [InlineData("lower_bound=1;percentage=ten", "\"percentage\" value ten is not a number")]
    [InlineData("lower_bound=1;percentage=10%", "\"percentage\" value 10% is not a number")]
    [InlineData("lower_bound=1;value=six", "\"value\" value six is not an interger")]
    [InlineData("lower_bound=1;value=1e+06", "\"value\" value 1e+06 is not an interger")]
    [InlineData("lower_bound=1;value=-1", "\"value\" value -1 is negative")]
    public void Bad_configuration_fails_with_upstreams_exact_text(string config, string expectedMessage)
    {
        var error = Assert.Throws<PluginConfigException>(() => Run(4, config, 5));

        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void Values_use_Go_number_spellings()
    {
        Assert.Equal(5, Run(4, "lower_bound=7e1;upper_bound=1_000;delta=+1;within_bounds_trigger=+1", 85).Count);
        Assert.Equal(6, Run(4, "lower_bound=0x46p0;percentage=5e1;within_bounds_trigger=1", 85).Count);
    }

    [Fact]
    public void Traces_the_count_of_points_in_bounds_and_the_result()
    {
        Run(4, "lower_bound=70;upper_bound=100;delta=1", Points(6, 85, 2, 10));

        Assert.Equal(
            ["checking how many data points are within bounds", "found 6 data points within bounds", "calculating new count",
                "calculated scaling strategy results"],
            _logger.Entries.Select(e => e.Message));
        Assert.All(_logger.Entries, e => Assert.Equal(LogLevel.Trace, e.Level));
        var result = _logger.Single("calculated scaling strategy results");
        Assert.Equal(["check_name", "current_count", "lower_bound", "upper_bound", "actionType", "new_count", "direction"], result.Keys);
        Assert.Equal("cpu", result["check_name"]);
        Assert.Equal(4L, result["current_count"]);
        Assert.Equal(70.0, result["lower_bound"]);
        Assert.Equal(100.0, result["upper_bound"]);
        Assert.Equal("delta", result["actionType"]);
        Assert.Equal(5L, result["new_count"]);
        Assert.Equal("up", result["direction"]);
    }

    [Fact]
    public void Traces_when_too_few_points_are_in_bounds()
    {
        Run(4, "lower_bound=70;delta=1", 85, 10);

        Assert.Equal("not enough data points within bounds", _logger.Entries[^1].Message);
        Assert.Equal(double.MaxValue, _logger.Entries[^1]["upper_bound"]);
    }

    [Fact]
    public async Task RunAsync_gives_the_same_result_as_Run()
    {
        var request = TestRequests.Create("threshold", 4, TestRequests.Config("lower_bound=70;delta=1;within_bounds_trigger=1"), 85);

        var action = await new ThresholdStrategy(_logger).RunAsync(request, CancellationToken.None);

        Assert.Equal((5L, ScalingDirection.Up), Pair(action));
    }

    private static (long, ScalingDirection) Pair(ScalingAction action) => (action.Count, action.Direction);
}
