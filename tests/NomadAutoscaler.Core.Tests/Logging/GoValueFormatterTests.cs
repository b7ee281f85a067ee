using NomadAutoscaler.Core.Logging;

namespace NomadAutoscaler.Core.Tests.Logging;

public class GoValueFormatterTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.75, "0.75")]
    [InlineData(100000.0, "100000")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(123456789.5, "1.234567895e+08")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.000012345, "1.2345e-05")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.1, "0.1")]
    [InlineData(3.14159, "3.14159")]
    public void Floats_print_like_go_percent_v(double value, string expected)
        => Assert.Equal(expected, GoValueFormatter.FormatFloat(value));

    [Fact]
    public void Special_floats_print_like_go()
    {
        Assert.Equal("NaN", GoValueFormatter.FormatFloat(double.NaN));
        Assert.Equal("+Inf", GoValueFormatter.FormatFloat(double.PositiveInfinity));
        Assert.Equal("-Inf", GoValueFormatter.FormatFloat(double.NegativeInfinity));
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("a-b_c.d/e:f=g", false)]
    [InlineData("has space", true)]
    [InlineData("quote\"d", true)]
    [InlineData("comma,", true)]
    [InlineData("ünïcode", true)]
    public void Quoting_follows_hclog_normal_rune_range(string text, bool quoted)
        => Assert.Equal(quoted, GoValueFormatter.NeedsQuoting(text));

    [Fact]
    public void Maps_sort_keys_like_go_fmt()
    {
        var map = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        Assert.Equal("map[a:1 b:2]", GoValueFormatter.FormatValue(map));
        Assert.Equal("map[]", GoValueFormatter.FormatValue(new Dictionary<string, object?>()));
    }

    [Fact]
    public void Durations_print_as_go_durations()
    {
        Assert.Equal("5m0s", GoValueFormatter.FormatValue(TimeSpan.FromMinutes(5)));
        Assert.Equal("7.5s", GoValueFormatter.FormatValue(TimeSpan.FromSeconds(7.5)));
    }

    [Fact]
    public void Slices_quote_their_strings_like_hclog()
    {
        var text = GoValueFormatter.FormatPairValue(new[] { "a", "b c" }, out var raw);
        Assert.True(raw);
        Assert.Equal("[\"a\", \"b c\"]", text);
    }

    [Fact]
    public void Nil_and_bools_and_times_print_like_go()
    {
        Assert.Equal("<nil>", GoValueFormatter.FormatValue(null));
        Assert.Equal("true", GoValueFormatter.FormatValue(true));
        Assert.Equal("2021-11-25 11:53:48.43 +0000 UTC", GoValueFormatter.FormatValue(new DateTimeOffset(2021, 11, 25, 11, 53, 48, 430, TimeSpan.Zero)));
    }
}
