using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.FixedValue;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class FixedValueStrategyTests
{
    private readonly CapturingLogger<FixedValueStrategy> _logger = new();

    private ScalingAction Run(long count, string config, params double[] metrics)
        => new FixedValueStrategy(_logger).Run(TestRequests.Create("fixed-value", count, TestRequests.Config(config), metrics));

    [Theory]
    // Upstream's fixed-value behaviour: count 2, value 5 → up to 5; count 5 → none. Negative values go to the agent's capping.
    [InlineData(2, "5", 5, ScalingDirection.Up, "scaling up because fixed value is 5")]
    [InlineData(5, "5", 0, ScalingDirection.None, "")]
    [InlineData(7, "5", 5, ScalingDirection.Down, "scaling down because fixed value is 5")]
    [InlineData(2, "-3", -3, ScalingDirection.Down, "scaling down because fixed value is -3")]
    [InlineData(0, "+4", 4, ScalingDirection.Up, "scaling up because fixed value is 4")]
    [InlineData(1, "007", 7, ScalingDirection.Up, "scaling up because fixed value is 7")]
    public void Asks_for_the_fixed_value(long count, string value, long expectedCount, ScalingDirection expectedDirection, string expectedReason)
    {
        var action = Run(count, "value=" + value);

        Assert.Equal((expectedCount, expectedDirection, expectedReason), (action.Count, action.Direction, action.Reason));
    }

    [Fact]
    public void Metrics_are_not_needed_and_not_read()
        => Assert.Equal(Run(2, "value=5").Count, Run(2, "value=5", 1000, 0).Count);

    [Theory]
    [InlineData("", "missing required field `value`")]
    [InlineData("value=", "missing required field `value`")]
    [InlineData("fixed=5", "missing required field `value`")]
    [InlineData("value=five", "invalid value for `value`: five (string)")]
    [InlineData("value=5.0", "invalid value for `value`: 5.0 (string)")]
    [InlineData("value=1e+06", "invalid value for `value`: 1e+06 (string)")]
    [InlineData("value= 5", "invalid value for `value`:  5 (string)")]
    [InlineData("value=1_000", "invalid value for `value`: 1_000 (string)")]
    [InlineData("value=0x10", "invalid value for `value`: 0x10 (string)")]
    public void Bad_configuration_fails_with_upstreams_exact_text(string config, string expectedMessage)
    {
        var error = Assert.Throws<PluginConfigException>(() => Run(2, config));

        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void Scaling_is_traced_with_upstreams_pairs()
    {
        Run(2, "value=5");

        var entry = _logger.Single("calculated scaling strategy results");
        Assert.Equal(LogLevel.Trace, entry.Level);
        Assert.Equal(["check_name", "current_count", "new_count", "direction"], entry.Keys);
        Assert.Equal((object?)2L, entry["current_count"]);
        Assert.Equal((object?)5L, entry["new_count"]);
        Assert.Equal("up", entry["direction"]);
    }

    [Fact]
    public async Task RunAsync_gives_the_same_result_as_Run()
    {
        var request = TestRequests.Create("fixed-value", 2, TestRequests.Config("value=5"));

        var action = await new FixedValueStrategy(_logger).RunAsync(request, CancellationToken.None);

        Assert.Equal((5L, ScalingDirection.Up), (action.Count, action.Direction));
    }
}
