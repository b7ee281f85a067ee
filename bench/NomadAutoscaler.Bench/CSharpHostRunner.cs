using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Plugins.External;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Bench;

/// <summary>Measures a plugin through the agent's own plugin host (<see cref="PluginManager"/>), as the engine calls it:
/// <c>manager.GetApm(name).QueryAsync(...)</c>.</summary>
internal sealed class CSharpHostRunner(BenchSettings settings)
{
    // The same window the Go harness queries, so both plugins build the same reply.
    private static readonly ApmQuery Query = new("interop_query",
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));

    private static PluginHostOptions Options(BenchRow row)
        => new() { PluginDir = row.PluginDir, StartTimeout = TimeSpan.FromSeconds(60), PluginLogLevel = LogLevel.Information };

    private static PluginManager CreateManager(BenchRow row) => new(Options(row), NullLoggerFactory.Instance);

    /// <summary>Process start to the first successful RPC through the launcher <see cref="PluginManager"/> uses: start
    /// (through setpriv, which ties the plugin's life to the agent's), handshake, connect, PluginInfo. The same span as
    /// the Go host's <c>startup_ms</c>.</summary>
    public static async Task<double> FirstRpcAsync(BenchRow row, string socketDir, CancellationToken cancellationToken)
    {
        var launcher = new ExternalPluginLauncher(Options(row), NullLoggerFactory.Instance, socketDir);
        var started = Stopwatch.GetTimestamp();
        var connection = await launcher.LaunchAsync(Block(row), cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await connection.DisposeAsync().ConfigureAwait(false);
        return elapsed.TotalMilliseconds;
    }

    private static PluginBlock Block(BenchRow row) => new(PluginKind.Apm, row.Driver, row.Driver, [], new Dictionary<string, string>(),
        row.InProcess ? PluginLoadMode.InProcess : PluginLoadMode.External);

    /// <summary>From launch (process start, handshake, connect, PluginInfo, SetConfig; in-process: load and configure) to the
    /// plugin being ready, i.e. until <see cref="PluginManager.StartAsync"/> returns. A Query is then made to prove it works.</summary>
    public static async Task<double> StartupAsync(BenchRow row, CancellationToken cancellationToken)
    {
        var manager = CreateManager(row);
        try
        {
            var started = Stopwatch.GetTimestamp();
            await manager.StartAsync([Block(row)], cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            await manager.GetApm(row.Driver).QueryAsync(Query, cancellationToken).ConfigureAwait(false);
            return elapsed.TotalMilliseconds;
        }
        finally
        {
            await manager.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Warm-up, <see cref="BenchSettings.Calls"/> sequential Query calls timed one by one, the same number of calls from
    /// <see cref="BenchSettings.Concurrency"/> concurrent callers, then the plugin's RSS (external plugins only).</summary>
    public async Task MeasureCallsAsync(RowResult result, CancellationToken cancellationToken)
    {
        var row = result.Row;
        var manager = CreateManager(row);
        try
        {
            await manager.StartAsync([Block(row)], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < settings.Warmup; i++) await CallAsync(manager, row, cancellationToken).ConfigureAwait(false);

            var latenciesUs = new double[settings.Calls];
            for (var i = 0; i < settings.Calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await CallAsync(manager, row, cancellationToken).ConfigureAwait(false);
                latenciesUs[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }

            result.P50Us = Stats.Percentile(latenciesUs, 50);
            result.P99Us = Stats.Percentile(latenciesUs, 99);

            // As the Go harness: ceil(calls / concurrency) calls per caller.
            var perCaller = (settings.Calls + settings.Concurrency - 1) / settings.Concurrency;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var callers = Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
            {
                await gate.Task.ConfigureAwait(false);
                for (var i = 0; i < perCaller; i++) await CallAsync(manager, row, cancellationToken).ConfigureAwait(false);
            }, cancellationToken)).ToList();
            var burst = Stopwatch.GetTimestamp();
            gate.SetResult();
            await Task.WhenAll(callers).ConfigureAwait(false);
            result.CallsPerSec = perCaller * settings.Concurrency / Stopwatch.GetElapsedTime(burst).TotalSeconds;

            if (manager.GetProcessId(PluginKind.Apm, row.Driver) is { } pid)
            {
                var (rss, peak) = ProcessMemory.Read(pid);
                result.RssKiB = rss;
                result.PeakRssKiB = peak;
            }
        }
        finally
        {
            await manager.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task CallAsync(PluginManager manager, BenchRow row, CancellationToken cancellationToken)
    {
        var points = await manager.GetApm(row.Driver).QueryAsync(Query, cancellationToken).ConfigureAwait(false);
        if (points.Count != 1) throw new InvalidOperationException($"{row.Label}: Query returned {points.Count} points, expected 1");
    }
}
