using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>A started simulator on 127.0.0.1:0 with a fake clock and an HttpClient pointed at it.</summary>
internal sealed class SimulatorHarness : IAsyncDisposable
{
    private SimulatorHarness(NomadSimulator simulator, FakeTimeProvider time, HttpClient http)
    {
        Simulator = simulator;
        Time = time;
        Http = http;
    }

    public NomadSimulator Simulator { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a simulator; by default allocations start and stop instantly and nodes register ready.</summary>
    public static async Task<SimulatorHarness> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 21, 12, 0, 0, TimeSpan.Zero));
        var options = new SimulatorOptions
        {
            AllocStartDelay = TimeSpan.Zero,
            AllocStopDelay = TimeSpan.Zero,
            NodeInitializeDelay = TimeSpan.FromSeconds(3),
            TickInterval = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        var simulator = new NomadSimulator(time);
        var address = await simulator.StartAsync(options);
        return new SimulatorHarness(simulator, time, new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) });
    }

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Add("X-Nomad-Token", token);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text, response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)),
            response.Content.Headers.ContentType?.ToString());
    }

    public Task<Reply> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, null, token);

    public Task<Reply> PutAsync(string path, string body) => SendAsync(HttpMethod.Put, path, body);

    /// <summary>Advances fake time by <paramref name="step"/> until <paramref name="condition"/> holds (real-time bounded).</summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, int maxSteps = 200)
    {
        for (var i = 0; i < maxSteps && !condition(); i++)
        {
            Time.Advance(step);
            Simulator.ProcessTick();
            await Task.Yield();
        }

        Assert.True(condition(), "condition not reached while advancing simulated time");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Simulator.StopAsync();
    }

    public string AddNode(string nodeClass = "", int cpu = 4000, int memoryMB = 8192, string? name = null) =>
        Simulator.AddNode(new SimulatorNodeSpec { NodeClass = nodeClass, Cpu = cpu, MemoryMB = memoryMB, Name = name });
}

internal sealed record Reply(HttpStatusCode Status, string Body, IReadOnlyDictionary<string, string> Headers, string? ContentType)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("null body");

    public ulong Index => ulong.Parse(Headers["X-Nomad-Index"], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Waits on a real-time condition (the server runs on its own threads) without fixed sleeps.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, int timeoutMs = 10000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("timed out waiting: " + because);
            }

            await Task.Delay(10);
        }
    }
}
