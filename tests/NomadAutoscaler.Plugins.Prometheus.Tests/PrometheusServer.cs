using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>The real Prometheus started by tests/infra/prometheus/up.sh, found through its env file
/// (<c>$PROMETHEUS_STATE_DIR/prometheus.env</c>, default /var/tmp/nomad-autoscaler-prometheus) or the
/// PROMETHEUS_ADDR / PROMETHEUS_FILE_SD_DIR variables.</summary>
internal sealed class PrometheusServer
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(Uri address, string fileSdDirectory)
    {
        Address = address;
        FileSdDirectory = fileSdDirectory;
    }

    public Uri Address { get; }

    public string FileSdDirectory { get; }

    /// <summary>The running server, or null (with a message) when there is none. With REQUIRE_INTEGRATION=1 a missing
    /// server fails the test instead.</summary>
    public static async Task<PrometheusServer?> FindAsync(ITestOutputHelper output)
    {
        var settings = ReadSettings();
        var problem = settings switch
        {
            null => "no Prometheus: run tests/infra/prometheus/up.sh (no prometheus.env and no PROMETHEUS_ADDR)",
            _ => await ReadyProblemAsync(settings.Value.Address),
        };
        if (problem is null) return new PrometheusServer(settings!.Value.Address, settings.Value.FileSdDirectory);
        if (Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1") Assert.Fail($"REQUIRE_INTEGRATION=1 but {problem}");
        output.WriteLine($"integration test not run: {problem}");
        return null;
    }

    /// <summary>Makes Prometheus scrape <paramref name="target"/> (a Nomad simulator) with the extra label
    /// <c>sim=&lt;id&gt;</c>, through a file_sd file of its own that is deleted on dispose.</summary>
    public ScrapeTarget Scrape(Uri target, string id)
    {
        var path = Path.Combine(FileSdDirectory, $"test-{id}.json");
        var json = JsonSerializer.Serialize(new[] { new { targets = new[] { $"{target.Host}:{target.Port}" }, labels = new Dictionary<string, string> { ["sim"] = id } } });
        // Written under a name the *.json glob ignores, then renamed, so Prometheus never reads half a file.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, path, overwrite: true);
        return new ScrapeTarget(path);
    }

    /// <summary>Instant query straight to the HTTP API (test-side observation, independent of the plugin).</summary>
    public async Task<double?> ScalarAsync(string promql)
    {
        var uri = new Uri(Address, $"api/v1/query?query={Uri.EscapeDataString(promql)}");
        using var document = JsonDocument.Parse(await Http.GetStringAsync(uri));
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0) return null;
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <paramref name="promql"/> until <paramref name="condition"/> holds: Prometheus scrapes every second,
    /// so this is how a test knows a simulator state change has been recorded.</summary>
    public async Task WaitUntilAsync(string promql, Func<double?, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await ScalarAsync(promql);
            if (condition(last)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.Fail($"{promql} did not reach the expected value within {timeout.TotalSeconds} s (last value: {last?.ToString(CultureInfo.InvariantCulture) ?? "no data"}); is Prometheus scraping {FileSdDirectory}?");
    }

    private static (Uri Address, string FileSdDirectory)? ReadSettings()
    {
        var address = Environment.GetEnvironmentVariable("PROMETHEUS_ADDR");
        var fileSd = Environment.GetEnvironmentVariable("PROMETHEUS_FILE_SD_DIR");
        var state = Environment.GetEnvironmentVariable("PROMETHEUS_STATE_DIR") is { Length: > 0 } s ? s : "/var/tmp/nomad-autoscaler-prometheus";
        var envFile = Path.Combine(state, "prometheus.env");
        if (File.Exists(envFile))
        {
            foreach (var line in File.ReadAllLines(envFile))
            {
                var parts = line.Split('=', 2);
                if (parts.Length != 2) continue;
                if (parts[0] == "PROMETHEUS_ADDR") address ??= parts[1];
                if (parts[0] == "PROMETHEUS_FILE_SD_DIR") fileSd ??= parts[1];
            }
        }

        if (string.IsNullOrEmpty(address) || string.IsNullOrEmpty(fileSd)) return null;
        return (new Uri(address.TrimEnd('/') + "/"), fileSd);
    }

    private static async Task<string?> ReadyProblemAsync(Uri address)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(address, "-/ready"));
            return response.IsSuccessStatusCode ? null : $"Prometheus at {address} is not ready ({(int)response.StatusCode})";
        }
        catch (HttpRequestException ex)
        {
            return $"no Prometheus at {address} ({ex.Message}); run tests/infra/prometheus/up.sh";
        }
        catch (TaskCanceledException)
        {
            return $"Prometheus at {address} did not answer /-/ready";
        }
    }
}

/// <summary>A file_sd file; deleting it makes Prometheus stop scraping the target.</summary>
internal sealed class ScrapeTarget(string path) : IDisposable
{
    public void Dispose() => File.Delete(path);
}
