using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NomadAutoscaler.Plugins.Sdk;
using Xunit.Abstractions;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>The SDK's Go-compatible parsing and formatting against Go itself: govalues prints what Go's strconv, fmt
/// and time packages make of each input, and every answer must be the SDK's too.</summary>
public sealed class GoValuesAgreeWithGoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ParseFloat_accepts_rejects_and_rounds_as_Go()
    {
        if (await GoAnswersAsync() is not { } go) return;
        var mismatches = new List<string>();
        foreach (var item in go.GetProperty("parse_float").EnumerateArray())
        {
            var (text, goOk, goBits) = (item.GetProperty("in").GetString()!, item.GetProperty("ok").GetBoolean(), item.GetProperty("value").GetString()!);
            var ok = GoValues.TryParseFloat(text, out var value);
            var bits = BitConverter.DoubleToUInt64Bits(value).ToString("x", CultureInfo.InvariantCulture);
            // Any NaN is NaN: Go's and .NET's differ only in payload bits no caller can observe.
            var sameNaN = double.IsNaN(value) && double.IsNaN(BitConverter.UInt64BitsToDouble(ulong.Parse(goBits, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            if (ok != goOk || (ok && bits != goBits && !sameNaN)) mismatches.Add($"\"{text}\": Go ok={goOk} bits={goBits}, SDK ok={ok} bits={bits}");
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task ParseInt_accepts_and_rejects_as_Go()
    {
        if (await GoAnswersAsync() is not { } go) return;
        var mismatches = new List<string>();
        foreach (var item in go.GetProperty("parse_int").EnumerateArray())
        {
            var (text, goOk, goValue) = (item.GetProperty("in").GetString()!, item.GetProperty("ok").GetBoolean(), item.GetProperty("value").GetString()!);
            var ok = GoValues.TryParseInt64(text, out var value);
            var actual = value.ToString(CultureInfo.InvariantCulture);
            if (ok != goOk || (ok && actual != goValue)) mismatches.Add($"\"{text}\": Go ok={goOk} value={goValue}, SDK ok={ok} value={actual}");
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task Percent_f_prints_as_Go()
    {
        if (await GoAnswersAsync() is not { } go) return;
        var mismatches = new List<string>();
        foreach (var item in go.GetProperty("format_percent_f").EnumerateArray())
        {
            var value = BitConverter.UInt64BitsToDouble(ulong.Parse(item.GetProperty("in").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var expected = item.GetProperty("out").GetString();
            var actual = GoValues.FormatFloat(value);
            if (actual != expected) mismatches.Add($"{value:R}: Go {expected}, SDK {actual}");
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task Durations_print_and_parse_as_Go()
    {
        if (await GoAnswersAsync() is not { } go) return;
        var mismatches = new List<string>();
        foreach (var item in go.GetProperty("duration_string").EnumerateArray())
        {
            var nanoseconds = long.Parse(item.GetProperty("in").GetString()!, CultureInfo.InvariantCulture);
            var expected = item.GetProperty("out").GetString();
            var actual = GoDuration.Format(TimeSpan.FromTicks(nanoseconds / 100));
            if (actual != expected) mismatches.Add($"{nanoseconds} ns: Go {expected}, SDK {actual}");
        }

        foreach (var item in go.GetProperty("parse_duration").EnumerateArray())
        {
            var (text, goOk) = (item.GetProperty("in").GetString()!, item.GetProperty("ok").GetBoolean());
            // A TimeSpan holds 100 ns ticks; Go's nanoseconds are cut to whole ticks.
            var goTicks = long.Parse(item.GetProperty("value").GetString()!, CultureInfo.InvariantCulture) / 100;
            var ok = GoDuration.TryParse(text, out var value);
            if (ok != goOk || (ok && value.Ticks != goTicks)) mismatches.Add($"\"{text}\": Go ok={goOk} ticks={goTicks}, SDK ok={ok} ticks={value.Ticks}");
        }

        Assert.Empty(mismatches);
    }

    private async Task<JsonElement?> GoAnswersAsync()
    {
        if (!IntegrationGate.HasExecutables(output, GoInteropBinaries.GoValuesPath)) return null;
        using var process = Process.Start(new ProcessStartInfo(GoInteropBinaries.GoValuesPath)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }
}
