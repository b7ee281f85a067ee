using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Plugins.Sdk.Internal.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class HclogJsonFormatterTests
{
    [Fact]
    public void Format_TimestampHasExactlySixFractionalDigitsInUtc()
    {
        var at = new DateTimeOffset(2026, 11, 25, 11, 11, 39, TimeSpan.FromHours(1)).AddTicks(7_778_109);

        Assert.Equal("2026-11-25T10:11:39.777810Z", HclogJsonFormatter.FormatTimestamp(at));
        Assert.Equal("2026-01-02T03:04:05.000000Z", HclogJsonFormatter.FormatTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(LogLevel.Trace, "trace")]
    [InlineData(LogLevel.Debug, "debug")]
    [InlineData(LogLevel.Information, "info")]
    [InlineData(LogLevel.Warning, "warn")]
    [InlineData(LogLevel.Error, "error")]
    [InlineData(LogLevel.Critical, "error")]
    public void Format_Levels_UseHclogNames(LogLevel level, string expected)
    {
        using var json = JsonDocument.Parse(HclogJsonFormatter.Format(level, "m", "x", DateTimeOffset.UnixEpoch, null, null));

        Assert.Equal(expected, json.RootElement.GetProperty("@level").GetString());
    }

    [Fact]
    public void Format_StructuredPairs_BecomeExtraKeysWithJsonTypes()
    {
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Job", "web"), new("Count", 3), new("Ready", true), new("Wait", TimeSpan.FromMinutes(5)),
            new("{OriginalFormat}", "Scaling {Job}"), new("@level", 42),
        };

        var line = HclogJsonFormatter.Format(LogLevel.Information, "noop-target", "Scaling web", DateTimeOffset.UnixEpoch, state, new InvalidOperationException("bad"));

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("Scaling web", root.GetProperty("@message").GetString());
        Assert.Equal("noop-target", root.GetProperty("@module").GetString());
        Assert.Equal("info", root.GetProperty("@level").GetString());
        Assert.Equal("web", root.GetProperty("Job").GetString());
        Assert.Equal(3, root.GetProperty("Count").GetInt32());
        Assert.True(root.GetProperty("Ready").GetBoolean());
        // A time.Duration in Go's JSON: integer nanoseconds, as the agent's own JSON log writes it.
        Assert.Equal(300_000_000_000, root.GetProperty("Wait").GetInt64());
        Assert.Contains("bad", root.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(root.TryGetProperty("{OriginalFormat}", out _));
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Provider_WritesOneLinePerEvent_WithInjectedTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 11, 39, TimeSpan.Zero));
        time.Advance(TimeSpan.FromTicks(7_778_100));
        using var output = new StringWriter();
        using var provider = new HclogJsonLoggerProvider(output, "noop-apm", time);
        var logger = provider.CreateLogger("Test");

        logger.LogWarning("disk {Percent} full", 91);
        logger.LogInformation("second");

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("2026-11-25T10:11:39.777810Z", first.RootElement.GetProperty("@timestamp").GetString());
        Assert.Equal("disk 91 full", first.RootElement.GetProperty("@message").GetString());
        Assert.Equal(91, first.RootElement.GetProperty("Percent").GetInt32());
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData(" WARN ", LogLevel.Warning)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("off", LogLevel.None)]
    public void TryParseLevel_KnownNames(string text, LogLevel expected)
    {
        Assert.True(HclogJsonFormatter.TryParseLevel(text, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void TryParseLevel_Unknown_IsRejected() => Assert.False(HclogJsonFormatter.TryParseLevel("loud", out _));
}
