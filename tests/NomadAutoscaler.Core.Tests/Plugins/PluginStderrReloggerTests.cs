using System.Text;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Plugins.External;

namespace NomadAutoscaler.Core.Tests.Plugins;

public class PluginStderrReloggerTests
{
    private const string Name = "external_plugin.os-nova";

    private static (PluginStderrRelogger Relogger, CapturingLoggerFactory Logs) Create(LogLevel minimum = LogLevel.Trace)
    {
        var logs = new CapturingLoggerFactory(minimum);
        return (new PluginStderrRelogger(logs.CreateLogger(Name)), logs);
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData(" WARN ", LogLevel.Warning)]
    [InlineData("Error", LogLevel.Error)]
    public void Json_lines_are_relogged_at_their_level(string level, LogLevel expected)
    {
        var (relogger, logs) = Create();
        relogger.HandleLine($"{{\"@level\":\"{level}\",\"@message\":\"server started\",\"@timestamp\":\"2026-11-25T10:11:39.777810Z\",\"@module\":\"os-nova\",\"port\":10000,\"name\":\"x\"}}");
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(Name, entry.Name);
        Assert.Equal(expected, entry.Level);
        Assert.Equal("server started", entry.Message);
        // Other keys become pairs (sorted), numbers are Go float64s, and a timestamp pair is appended.
        Assert.Equal(["@module", "name", "port", "timestamp"], entry.Pairs.Select(p => p.Key));
        Assert.Equal("os-nova", entry["@module"]);
        Assert.Equal(10000.0, entry["port"]);
        Assert.Equal("2026-11-25T10:11:39.777Z", entry["timestamp"]);
    }

    [Theory]
    [InlineData("{\"@level\":\"fatal\",\"@message\":\"m\"}")]
    [InlineData("{\"@message\":\"no level\"}")]
    [InlineData("{\"@level\":3,\"@message\":\"m\"}")]
    [InlineData("{\"@level\":\"info\",\"@message\":42}")]
    [InlineData("{\"@level\":\"info\",\"@message\":\"m\",\"@timestamp\":17}")]
    public void Json_without_a_usable_level_is_logged_raw_at_debug_and_never_throws(string line)
    {
        var (relogger, logs) = Create();
        relogger.HandleLine(line);
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal(line, entry.Message);
    }

    [Theory]
    [InlineData("2026-11-25T10:11:39.777Z")]
    [InlineData("2026-11-25T10:11:39.7778101Z")]
    [InlineData("2026-11-25T10:11:39Z")]
    [InlineData("2026-11-25 10:11:39.777810Z")]
    [InlineData("2026-11-25T10:11:39.777810+0100")]
    [InlineData("2026-13-25T10:11:39.777810Z")]
    public void Json_with_any_other_timestamp_format_falls_through_to_the_plain_path(string timestamp)
    {
        var (relogger, logs) = Create();
        var line = $"{{\"@level\":\"error\",\"@message\":\"m\",\"@timestamp\":\"{timestamp}\"}}";
        relogger.HandleLine(line);
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal(line, entry.Message);
    }

    [Theory]
    [InlineData("2026-11-25T10:11:39.777810Z")]
    [InlineData("2026-11-25T10:11:39.777810+01:00")]
    [InlineData("2026-11-25T10:11:39.000000-07:30")]
    public void Exact_timestamp_formats_are_accepted(string timestamp)
        => Assert.True(PluginStderrRelogger.TryParseTimestamp(timestamp, out _));

    [Theory]
    [InlineData("[TRACE] detail", LogLevel.Trace)]
    [InlineData("[DEBUG] detail", LogLevel.Debug)]
    [InlineData("[INFO] detail", LogLevel.Information)]
    [InlineData("[WARN] detail", LogLevel.Warning)]
    [InlineData("[ERROR] detail", LogLevel.Error)]
    [InlineData("no prefix", LogLevel.Debug)]
    [InlineData(" [ERROR] indented", LogLevel.Debug)]
    [InlineData("[1,2,3]", LogLevel.Debug)]
    [InlineData("\"a json string\"", LogLevel.Debug)]
    [InlineData("{not json", LogLevel.Debug)]
    public void Plain_lines_use_their_bracket_prefix_and_keep_the_whole_line(string line, LogLevel expected)
    {
        var (relogger, logs) = Create();
        relogger.HandleLine(line);
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(expected, entry.Level);
        Assert.Equal(line, entry.Message);
    }

    [Theory]
    [InlineData("panic: runtime error: index out of range")]
    [InlineData("fatal error: concurrent map writes")]
    public void A_panic_switches_later_plain_lines_to_error_but_not_json_lines(string first)
    {
        var (relogger, logs) = Create();
        relogger.HandleLine("[DEBUG] before");
        relogger.HandleLine(first);
        relogger.HandleLine("goroutine 1 [running]:");
        relogger.HandleLine("[DEBUG] after");
        relogger.HandleLine("{\"@level\":\"info\",\"@message\":\"json\"}");
        Assert.Equal([LogLevel.Debug, LogLevel.Error, LogLevel.Error, LogLevel.Error, LogLevel.Information], logs.Entries.Select(e => e.Level));
    }

    [Fact]
    public void Lines_below_the_agent_level_are_dropped()
    {
        var (relogger, logs) = Create(LogLevel.Information);
        relogger.HandleLine("{\"@level\":\"trace\",\"@message\":\"hidden\"}");
        relogger.HandleLine("[DEBUG] hidden");
        relogger.HandleLine("{\"@level\":\"warn\",\"@message\":\"shown\"}");
        Assert.Equal(["shown"], logs.Entries.Select(e => e.Message));
    }

    [Fact]
    public async Task Pump_splits_lines_handles_crlf_and_a_final_line_without_newline()
    {
        var (relogger, logs) = Create();
        var bytes = Encoding.UTF8.GetBytes("[INFO] one\r\n[WARN] two\n\nlast");
        await relogger.PumpAsync(new MemoryStream(bytes), CancellationToken.None);
        Assert.Equal(["[INFO] one", "[WARN] two", "", "last"], logs.Entries.Select(e => e.Message));
        Assert.Equal(["[INFO] one", "[WARN] two", "", "last"], relogger.LastLines);
    }

    [Fact]
    public async Task Lines_longer_than_64_KiB_are_logged_raw_in_chunks_at_debug()
    {
        var (relogger, logs) = Create();
        var longLine = "[ERROR] " + new string('x', PluginStderrRelogger.MaxLineBytes + 100);
        var bytes = Encoding.UTF8.GetBytes(longLine + "\n[ERROR] next\n");
        await relogger.PumpAsync(new MemoryStream(bytes), CancellationToken.None);
        var entries = logs.Entries.ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal(PluginStderrRelogger.MaxLineBytes, entries[0].Message.Length);
        Assert.All(entries.Take(2), e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Equal(longLine, entries[0].Message + entries[1].Message);
        Assert.Equal(LogLevel.Error, entries[2].Level);
        Assert.Equal("[ERROR] next", entries[2].Message);
    }

    [Fact]
    public void Remembers_only_the_last_lines()
    {
        var (relogger, _) = Create(LogLevel.None);
        for (var i = 0; i < 50; i++) relogger.HandleLine($"line {i}");
        Assert.Equal(20, relogger.LastLines.Count);
        Assert.Equal("line 49", relogger.LastLines[^1]);
        Assert.Equal("line 30", relogger.LastLines[0]);
    }
}
