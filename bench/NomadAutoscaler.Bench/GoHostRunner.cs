using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NomadAutoscaler.Bench;

/// <summary>Runs the Go host harness (<c>goplugin-host -bench</c>) and reads its one JSON report. The host logs at info, as
/// an agent does in production: go-plugin then drops the Go plugin's per-call debug lines instead of re-logging them.</summary>
internal sealed class GoHostRunner(BenchSettings settings, string goHostPath)
{
    /// <summary>One launch: launch to the first successful PluginInfo (the harness's <c>startup_ms</c>).</summary>
    public async Task<double> StartupAsync(BenchRow row, CancellationToken cancellationToken)
    {
        using var report = await RunAsync(row, calls: 1, concurrency: 1, cancellationToken).ConfigureAwait(false);
        return report.RootElement.GetProperty("startup_ms").GetDouble();
    }

    public async Task MeasureCallsAsync(RowResult result, CancellationToken cancellationToken)
    {
        using var report = await RunAsync(result.Row, settings.Calls, settings.Concurrency, cancellationToken).ConfigureAwait(false);
        var json = report.RootElement;
        result.P50Us = json.GetProperty("p50_us").GetDouble();
        result.P99Us = json.GetProperty("p99_us").GetDouble();
        result.CallsPerSec = json.GetProperty("calls_per_sec").GetDouble();
        result.RssKiB = json.GetProperty("rss_kib").GetInt64();
        result.PeakRssKiB = json.GetProperty("peak_rss_kib").GetInt64();
    }

    private async Task<JsonDocument> RunAsync(BenchRow row, int calls, int concurrency, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(goHostPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-plugin", row.PluginPath, "-kind", "apm", "-bench", "-log-level", "info",
                     "-n", calls.ToString(CultureInfo.InvariantCulture), "-concurrency", concurrency.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {goHostPath}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        JsonDocument report;
        try
        {
            report = JsonDocument.Parse(output);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{Path.GetFileName(goHostPath)} exited {process.ExitCode} without a JSON report: {Tail(errors)}", ex);
        }

        if (report.RootElement.TryGetProperty("error", out var error) && error.GetString() is { Length: > 0 } message)
        {
            report.Dispose();
            throw new InvalidOperationException($"{Path.GetFileName(goHostPath)}: {message}");
        }

        if (process.ExitCode != 0)
        {
            report.Dispose();
            throw new InvalidOperationException($"{Path.GetFileName(goHostPath)} exited {process.ExitCode}: {Tail(errors)}");
        }

        return report;
    }

    private static string Tail(string text) => text.Length <= 600 ? text.Trim() : "..." + text[^600..].Trim();
}
