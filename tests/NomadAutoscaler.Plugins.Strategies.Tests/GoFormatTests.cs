namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class GoFormatTests
{
    [Theory]
    [InlineData(82.0 / 70.0, "1.171429")]
    [InlineData(232.04804 / 70.0, "3.314972")]
    [InlineData(29.0 / 7.0, "4.142857")]
    [InlineData(0.4, "0.400000")]
    [InlineData(10.0, "10.000000")]
    [InlineData(0.0078125, "0.007812")]
    [InlineData(0.0234375, "0.023438")]
    [InlineData(-0.0, "-0.000000")]
    [InlineData(1e22, "10000000000000000000000.000000")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Float6_prints_like_Go_percent_f(double value, string expected)
        => Assert.Equal(expected, GoFormat.Float6(value));

    [Theory]
    [InlineData(3.7, 3L)]
    [InlineData(-3.7, -3L)]
    [InlineData(-0.9, 0L)]
    [InlineData(double.NaN, 0L)]
    [InlineData(double.PositiveInfinity, long.MaxValue)]
    [InlineData(double.NegativeInfinity, long.MinValue)]
    [InlineData(1e19, long.MaxValue)]
    public void TruncateToInt64_truncates_toward_zero_and_saturates(double value, long expected)
        => Assert.Equal(expected, GoFormat.TruncateToInt64(value));
}
