using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class GoJsonTests
{
    // The expected text is what Go's json.Marshal prints for the map of the same Go values (time.Duration, time.Time in
    // UTC, +01:00 and -05:30, a slice and a map[string]string).
    [Fact]
    public void Writes_values_as_Go_encoding_json_does()
    {
        var value = new Dictionary<string, object?>
        {
            ["wait"] = TimeSpan.FromSeconds(90),
            ["t1"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 500, TimeSpan.Zero),
            ["t2"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)).AddTicks(1_234_567),
            ["t3"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)),
            ["b"] = new object?[] { 1, "x" },
            ["a"] = new Dictionary<string, string> { ["z"] = "1", ["y"] = "2" },
        };

        Assert.Equal(
            """{"a":{"y":"2","z":"1"},"b":[1,"x"],"t1":"2026-01-02T03:04:05.5Z","t2":"2026-01-02T03:04:05.1234567+01:00","t3":"2026-01-02T03:04:05-05:30","wait":90000000000}""",
            Write(value));
    }

    // Go's json.Marshal fails on these; a log line must not, so they are written as their Go %v text.
    [Theory]
    [InlineData(double.NaN, "\"NaN\"")]
    [InlineData(double.PositiveInfinity, "\"+Inf\"")]
    [InlineData(double.NegativeInfinity, "\"-Inf\"")]
    [InlineData(1.5, "1.5")]
    public void Non_finite_numbers_become_text(double value, string expected) => Assert.Equal(expected, Write(value));

    [Fact]
    public void Errors_are_their_message_and_json_elements_pass_through()
    {
        using var doc = JsonDocument.Parse("""{"k":[1,true]}""");
        Assert.Equal("\"boom\"", Write(new InvalidOperationException("boom")));
        Assert.Equal("""{"k":[1,true]}""", Write(doc.RootElement));
    }

    [Fact]
    public void A_dictionary_that_contains_itself_ends_in_text()
    {
        var loop = new Dictionary<string, object?>();
        loop["self"] = loop;

        var json = Write(loop);

        Assert.Contains("\"<nested too deeply>\"", json, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);
    }

    private static string Write(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // The relaxed encoder of every production writer; like Go's encoder it leaves '+' unescaped.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            GoJson.WriteValue(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
