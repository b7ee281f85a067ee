using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>Debian's <c>chromium</c> in headless mode, driven over the DevTools protocol on its page websocket: enough
/// to load a page, evaluate expressions in it and take a screenshot. The browser is our child process and is killed
/// by its PID on dispose.</summary>
internal sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts the browser, or returns null (after <paramref name="skip"/>) when <c>chromium</c> is not
    /// installed; with REQUIRE_INTEGRATION=1 a missing browser fails the test instead.</summary>
    public static async Task<HeadlessChromium?> StartAsync(int width, int height, Action<string> skip)
    {
        var path = new[] { "/usr/bin/chromium", "/usr/lib/chromium/chromium" }.FirstOrDefault(File.Exists);
        if (path is null)
        {
            const string problem = "chromium is not installed: run tests/infra/chromium/install.sh";
            if (Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1") Assert.Fail("REQUIRE_INTEGRATION=1 but " + problem);
            skip("browser test not run: " + problem);
            return null;
        }

        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", $"--window-size={width},{height}", $"--user-data-dir={profile}", "about:blank",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
        var browser = new HeadlessChromium(process, profile);
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && DevToolsLine().Match(e.Data) is { Success: true } m) endpoint.TrySetResult(m.Groups[1].Value);
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var port = await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            var page = targets.First(t => (string?)t!["type"] == "page")!;
            await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    public async Task NavigateAsync(Uri url)
    {
        await SendAsync("Page.enable");
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        await WaitUntilAsync("document.readyState === 'complete'", "the page to load", TimeSpan.FromSeconds(30));
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } error) throw new InvalidOperationException($"{expression} threw: {error.ToJsonString()}");
        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Polls <paramref name="expression"/> until it is true.</summary>
    public async Task WaitUntilAsync(string expression, string what, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await EvaluateAsync(expression) is not JsonValue value || !value.TryGetValue<bool>(out var ok) || !ok)
        {
            if (cts.IsCancellationRequested) Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what} ({expression})");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>A PNG of the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync()
        => Convert.FromBase64String((string)(await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }))["data"]!);

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                text.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var reply = JsonNode.Parse(text.ToArray())!;
            // Events (no id) and answers to other calls are not ours.
            if ((int?)reply["id"] != id) continue;
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A crash dump still being written; the temp directory is cleaned with the machine.
        }
    }

    [GeneratedRegex(@"DevTools listening on ws://127\.0\.0\.1:(\d+)/")]
    private static partial Regex DevToolsLine();
}
