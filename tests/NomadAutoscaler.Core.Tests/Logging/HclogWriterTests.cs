using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Logging;

namespace NomadAutoscaler.Core.Tests.Logging;

public class HclogWriterTests
{
    private static readonly DateTimeOffset Now = new(2021, 11, 25, 11, 53, 48, 430, TimeSpan.Zero);

    private static (ILogger Logger, StringWriter Output) Create(LogLevel level = LogLevel.Trace, bool json = false, string name = "policy_eval.worker")
    {
        var output = new StringWriter();
        var provider = new HclogLoggerProvider(new HclogOptions { MinimumLevel = level, Json = json, UseUtc = true, TimeProvider = new FakeTimeProvider(Now) }, output);
        return (provider.CreateLogger(name), output);
    }

    [Fact]
    public void Text_line_matches_upstream_layout()
    {
        var (logger, output) = Create();
        logger.Hclog(LogLevel.Information, "scaling target",
            ("id", "abc-123"), ("from", 0L), ("to", 1L), ("reason", "capped count from 3 to 1"), ("meta", new Dictionary<string, string>()));
        Assert.Equal(
            "2021-11-25T11:53:48.430Z [INFO]  policy_eval.worker: scaling target: id=abc-123 from=0 to=1 reason=\"capped count from 3 to 1\" meta=map[]\n",
            output.ToString());
    }

    [Theory]
    [InlineData(LogLevel.Trace, "[TRACE] ")]
    [InlineData(LogLevel.Debug, "[DEBUG] ")]
    [InlineData(LogLevel.Information, "[INFO]  ")]
    [InlineData(LogLevel.Warning, "[WARN]  ")]
    [InlineData(LogLevel.Error, "[ERROR] ")]
    [InlineData(LogLevel.Critical, "[ERROR] ")]
    public void Level_tokens_are_padded_like_hclog(LogLevel level, string token)
    {
        var (logger, output) = Create();
        logger.Hclog(level, "m");
        Assert.Equal($"2021-11-25T11:53:48.430Z {token}policy_eval.worker: m\n", output.ToString());
    }

    [Fact]
    public void Empty_message_ends_after_the_logger_name()
    {
        var (logger, output) = Create(name: "agent");
        logger.Hclog(LogLevel.Information, "");
        Assert.Equal("2021-11-25T11:53:48.430Z [INFO]  agent\n", output.ToString());
    }

    [Fact]
    public void Quotes_escapes_and_empty_values_follow_hclog()
    {
        var (logger, output) = Create();
        logger.Hclog(LogLevel.Information, "m", ("q", "say \"hi\""), ("empty", ""), ("tab", "a\tb"), ("dur", TimeSpan.FromMinutes(5)));
        Assert.EndsWith(": m: q=\"say \\\"hi\\\"\" empty=\"\" tab=\"a\\tb\" dur=5m0s\n", output.ToString());
    }

    [Fact]
    public void Multi_line_values_are_indented_with_bars()
    {
        var (logger, output) = Create();
        logger.Hclog(LogLevel.Error, "plugin crashed", ("stderr", "line one\nline two"), ("code", 2));
        Assert.EndsWith(": plugin crashed:\n  stderr=\n  | line one\n  | line two\n   code=2\n", output.ToString());
    }

    [Fact]
    public void Exceptions_become_an_error_pair()
    {
        var (logger, output) = Create();
        logger.Hclog(LogLevel.Error, new InvalidOperationException("boom here"), "failed");
        Assert.EndsWith(": failed: error=\"boom here\"\n", output.ToString());
    }

    [Fact]
    public void Standard_templates_render_inline_without_repeating_pairs_in_text()
    {
        var (logger, output) = Create();
        logger.LogInformation("listening on {Address}", "127.0.0.1:8080");
        Assert.Equal("2021-11-25T11:53:48.430Z [INFO]  policy_eval.worker: listening on 127.0.0.1:8080\n", output.ToString());
    }

    [Fact]
    public void Levels_below_the_minimum_are_dropped_and_off_drops_everything()
    {
        var (logger, output) = Create(LogLevel.Warning);
        logger.Hclog(LogLevel.Information, "dropped");
        logger.Hclog(LogLevel.Warning, "kept");
        Assert.DoesNotContain("dropped", output.ToString());
        Assert.Contains("kept", output.ToString());

        var (off, offOutput) = Create(HclogLevel.Parse("off"));
        off.Hclog(LogLevel.Critical, "nothing");
        Assert.Equal("", offOutput.ToString());
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData(" DEBUG ", LogLevel.Debug)]
    [InlineData("Info", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("off", LogLevel.None)]
    [InlineData("verbose", LogLevel.Information)]
    [InlineData(null, LogLevel.Information)]
    public void Log_level_setting_parses_like_upstream(string? text, LogLevel expected)
        => Assert.Equal(expected, HclogLevel.Parse(text));

    [Fact]
    public void Json_line_has_hclog_keys_sorted_and_the_six_digit_timestamp()
    {
        var (logger, output) = Create(json: true, name: "agent.plugin_manager");
        logger.Hclog(LogLevel.Information, "successfully launched and dispensed plugin", ("plugin_name", "noop-apm"), ("count", 3), ("wait", TimeSpan.FromSeconds(1)));
        var line = output.ToString();
        Assert.EndsWith("\n", line);
        Assert.Equal(
            "{\"@level\":\"info\",\"@message\":\"successfully launched and dispensed plugin\",\"@module\":\"agent.plugin_manager\",\"@timestamp\":\"2021-11-25T11:53:48.430000Z\",\"count\":3,\"plugin_name\":\"noop-apm\",\"wait\":1000000000}",
            line.TrimEnd('\n'));
    }

    [Fact]
    public void Json_lines_keep_template_values_as_fields()
    {
        var (logger, output) = Create(json: true);
        logger.LogWarning("slow call to {Plugin}", "noop-apm");
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal("warn", doc.RootElement.GetProperty("@level").GetString());
        Assert.Equal("slow call to noop-apm", doc.RootElement.GetProperty("@message").GetString());
        Assert.Equal("noop-apm", doc.RootElement.GetProperty("Plugin").GetString());
    }

    [Fact]
    public void Text_timestamps_show_the_offset_outside_utc()
        => Assert.Equal("2021-11-25T12:53:48.430+0100", HclogWriter.FormatTextTimestamp(Now.ToOffset(TimeSpan.FromHours(1))));

    [Fact]
    public void Concurrent_writers_never_interleave_lines()
    {
        var (logger, output) = Create();
        Parallel.For(0, 2000, i => logger.Hclog(LogLevel.Information, "message", ("i", i), ("text", new string('x', i % 300))));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^2021-11-25T11:53:48\.430Z \[INFO\]  policy_eval\.worker: message: i=\d+ text=(x+|"""")$", l));
        Assert.Equal(2000, lines.Select(l => l.Split(' ')[5]).Distinct().Count());
    }

    private static ILogger CreateWithLocation(StringWriter output, bool json)
    {
        // Through a LoggerFactory as the agent builds it, so its wrapper frames sit between the caller and the writer.
        var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new HclogLoggerProvider(
            new HclogOptions { Json = json, IncludeLocation = true, UseUtc = true, TimeProvider = new FakeTimeProvider(Now) }, output)));
        return factory.CreateLogger("agent");
    }

    private static int Line([System.Runtime.CompilerServices.CallerLineNumber] int line = 0) => line;

    private static string File([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    [Fact]
    public void Include_location_puts_the_calling_file_and_line_between_level_and_name_as_hclog()
    {
        var output = new StringWriter();
        var logger = CreateWithLocation(output, json: false);
        logger.Hclog(LogLevel.Information, "scaling", ("id", "a")); var line = Line();

        Assert.Equal($"2021-11-25T11:53:48.430Z [INFO]  Logging/HclogWriterTests.cs:{line}: agent: scaling: id=a\n", output.ToString());
    }

    [Fact]
    public void Include_location_adds_the_full_path_as_caller_in_json()
    {
        var output = new StringWriter();
        var logger = CreateWithLocation(output, json: true);
        logger.Hclog(LogLevel.Warning, "scaling"); var line = Line();

        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal($"{File()}:{line}", doc.RootElement.GetProperty("@caller").GetString());
    }

    [Fact]
    public void Without_include_location_there_is_no_caller()
    {
        var (logger, output) = Create(json: true);
        logger.Hclog(LogLevel.Information, "m");
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.False(doc.RootElement.TryGetProperty("@caller", out _));
    }

    [Fact]
    public async Task Without_symbols_the_location_is_the_method_seen_through_async_and_lambda_classes()
    {
        var asyncMove = typeof(HclogWriterTests).GetNestedTypes(System.Reflection.BindingFlags.NonPublic)
            .Single(t => t.Name.StartsWith("<Without_symbols_the_location", StringComparison.Ordinal)).GetMethod("MoveNext", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        Func<System.Reflection.MethodBase> lambda = () => System.Reflection.MethodBase.GetCurrentMethod()!;
        await Task.Yield();

        Assert.Equal(
            "NomadAutoscaler.Core.Tests.Logging.HclogWriterTests.Without_symbols_the_location_is_the_method_seen_through_async_and_lambda_classes",
            CallerLocation.FromFrame(null, 0, asyncMove).Full);
        Assert.Equal("NomadAutoscaler.Core.Tests.Logging.HclogWriterTests.Without_symbols_the_location_is_the_method_seen_through_async_and_lambda_classes",
            CallerLocation.FromFrame(null, 0, lambda()).Short);
        Assert.Equal(("/src/core/Agent/Run.cs:7", "Agent/Run.cs:7"), (CallerLocation.FromFrame("/src/core/Agent/Run.cs", 7, asyncMove) is var c ? (c.Full, c.Short) : default));
    }
}
