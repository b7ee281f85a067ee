using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class GoValuesTests
{
    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("70", 70.0)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1E3", 1000.0)]
    [InlineData("1e+06", 1e6)]
    [InlineData("+1.5", 1.5)]
    [InlineData("-2.25", -2.25)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("007.50", 7.5)]
    [InlineData("1_000.5", 1000.5)]
    [InlineData("1e1_0", 1e10)]
    [InlineData("0x1p-2", 0.25)]
    [InlineData("0X1P-2", 0.25)]
    [InlineData("0x1.8p1", 3.0)]
    [InlineData("0x.8p1", 1.0)]
    [InlineData("0x_1p0", 1.0)]
    [InlineData("0x1_0p0", 16.0)]
    [InlineData("0x0.01p0", 1.0 / 256)]
    [InlineData("0x1.00000000000000001p0", 1.0)]
    [InlineData("0x1.fffffffffffffp1023", double.MaxValue)]
    [InlineData("0x1p-1074", double.Epsilon)]
    [InlineData("0x1p-1075", 0.0)]
    [InlineData("0x3p-1075", 2 * double.Epsilon)]
    [InlineData("1e-400", 0.0)]
    [InlineData("4.9e-324", double.Epsilon)]
    [InlineData("1.7976931348623157e308", double.MaxValue)]
    [InlineData("0e99999", 0.0)]
    [InlineData("Inf", double.PositiveInfinity)]
    [InlineData("+inf", double.PositiveInfinity)]
    [InlineData("INFINITY", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("NaN", double.NaN)]
    [InlineData("nan", double.NaN)]
    public void ParseFloat_accepts_what_Go_accepts(string text, double expected)
    {
        Assert.True(GoValues.TryParseFloat(text, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void ParseFloat_keeps_the_sign_of_negative_zero()
    {
        Assert.True(GoValues.TryParseFloat("-0", out var value));
        Assert.True(double.IsNegative(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("e5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("70%")]
    [InlineData("1f")]
    [InlineData("0x")]
    [InlineData("0x1")]
    [InlineData("0x1.8")]
    [InlineData("0x1p")]
    [InlineData("0xp1")]
    [InlineData("0b101")]
    [InlineData("0o17")]
    [InlineData("+nan")]
    [InlineData("-NaN")]
    [InlineData("infin")]
    [InlineData("infinityx")]
    [InlineData("∞")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("1__0")]
    [InlineData("1_.5")]
    [InlineData("1._5")]
    [InlineData("0x1p_1")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("0x1p1024")]
    [InlineData("0x1.fffffffffffff8p1023")]
    [InlineData("١")]
    public void ParseFloat_rejects_what_Go_rejects(string text)
        => Assert.False(GoValues.TryParseFloat(text, out _));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("5", 5L)]
    [InlineData("+5", 5L)]
    [InlineData("-5", -5L)]
    [InlineData("-0", 0L)]
    [InlineData("007", 7L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void ParseInt_accepts_what_Go_accepts(string text, long expected)
    {
        Assert.True(GoValues.TryParseInt64(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("+-1")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("1.0")]
    [InlineData("1e+06")]
    [InlineData("1_000")]
    [InlineData("0x10")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("99999999999999999999")]
    [InlineData("٥")]
    [InlineData("5\0")]
    public void ParseInt_rejects_what_Go_rejects(string text)
        => Assert.False(GoValues.TryParseInt64(text, out _));

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
    public void FormatFloat_prints_like_Go_percent_f(double value, string expected)
        => Assert.Equal(expected, GoValues.FormatFloat(value));

    [Theory]
    [InlineData(3.7, 3L)]
    [InlineData(-3.7, -3L)]
    [InlineData(-0.9, 0L)]
    [InlineData(double.NaN, 0L)]
    [InlineData(double.PositiveInfinity, long.MaxValue)]
    [InlineData(double.NegativeInfinity, long.MinValue)]
    [InlineData(1e19, long.MaxValue)]
    public void TruncateToInt64_truncates_toward_zero_and_saturates(double value, long expected)
        => Assert.Equal(expected, GoValues.TruncateToInt64(value));

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("F", false)]
    [InlineData("false", false)]
    public void ParseBool_accepts_Go_spellings(string text, bool expected)
    {
        Assert.True(GoValues.TryParseBool(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yes")]
    [InlineData("tRUE")]
    [InlineData(" true")]
    public void ParseBool_rejects_what_Go_rejects(string text) => Assert.False(GoValues.TryParseBool(text, out _));
}
