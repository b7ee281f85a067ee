using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class GoDurationTests
{
    // Expected texts are what Go's time.Duration.String() prints for the same values.
    [Theory]
    [InlineData(7_500_000_000L, "7.5s")]
    [InlineData(300_000_000_000L, "5m0s")]
    [InlineData(5_400_000_000_000L, "1h30m0s")]
    [InlineData(300_000_000L, "300ms")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(0L, "0s")]
    [InlineData(-2_000_000_000L, "-2s")]
    [InlineData(3_723_000_000_000L, "1h2m3s")]
    public void Format_MatchesGo(long nanoseconds, string expected)
        => Assert.Equal(expected, GoDuration.Format(TimeSpan.FromTicks(nanoseconds / 100)));

    [Theory]
    [InlineData("7.5s", 7_500_000_000L)]
    [InlineData("5m", 300_000_000_000L)]
    [InlineData("1h30m", 5_400_000_000_000L)]
    [InlineData("300ms", 300_000_000L)]
    [InlineData("1.5µs", 1_500L)]
    [InlineData("1.5us", 1_500L)]
    [InlineData("0", 0L)]
    [InlineData("-1m30s", -90_000_000_000L)]
    public void Parse_GoSyntax(string text, long nanoseconds)
        => Assert.Equal(TimeSpan.FromTicks(nanoseconds / 100), GoDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("5x")]
    [InlineData("m")]
    public void TryParse_Invalid_ReturnsFalse(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
