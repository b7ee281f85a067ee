using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.TestPlugins;

/// <summary>Keeps a count in memory: Scale sets it, Status returns it. With <c>state_file</c> the count also lives in a
/// file (plain decimal text), so an end-to-end test can watch scaling happen and seed the start count; with
/// <c>scale_log</c> every Scale call is appended to a file; with <c>relay_scale_count</c> Status relays the Scale calls
/// so far as a counter (<see cref="TargetStatusMeta.SetCounter"/>), for the agent's metrics.</summary>
[Plugin("noop-target")]
public sealed class NoopTarget(ILogger<NoopTarget> logger, TimeProvider timeProvider) : ITargetPlugin<NoopTargetOptions>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Direction, string Reason), long> _scales = [];
    private NoopTargetOptions _options = new();
    private long _count;
    private long? _lastEventNanos;

    public ValueTask ConfigureAsync(NoopTargetOptions options, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _options = options;
            _count = ReadStateFile() ?? options.Count;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var count = ReadStateFile() ?? _count;
            var meta = new Dictionary<string, string>();
            if (_lastEventNanos is { } nanos) meta[TargetStatusMeta.LastEvent] = nanos.ToString(CultureInfo.InvariantCulture);
            if (_options.RelayScaleCount)
            {
                foreach (var ((direction, reason), total) in _scales)
                    TargetStatusMeta.SetCounter(meta, "noop_target.scale_count", total, ("direction", direction), ("reason", reason));
            }

            return ValueTask.FromResult<TargetStatus?>(new TargetStatus(_options.Ready, count) { Meta = meta });
        }
    }

    public async ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        if (_options.HangScale)
        {
            // Stands in for a long drain or server create, so a test can stop the agent while a scale is in flight.
            logger.LogInformation("scaling: hanging as configured (hang_scale = true): to={To}", action.Count);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (_options.FailScale)
            throw new InvalidOperationException("noop-target is configured to fail (fail_scale = true)");
        if (_options.NoOp)
            throw new ScalingNoOpException("noop-target is configured to answer no-op (no_op = true)");
        lock (_lock)
        {
            logger.LogInformation("scaling: from={From} to={To} reason={Reason}", _count, action.Count, action.Reason);
            // One line per call, so an end-to-end test sees every scale (the state file only shows the last).
            if (_options.ScaleLog is { } log)
                File.AppendAllText(log, string.Create(CultureInfo.InvariantCulture, $"{_count} {action.Count} {action.Direction.ToString().ToLowerInvariant()} {action.Reason}\n"));
            _count = action.Count;
            var scale = (action.Direction.ToString().ToLowerInvariant(), action.Reason);
            _scales[scale] = _scales.GetValueOrDefault(scale) + 1;
            _lastEventNanos = (timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
            if (_options.StateFile is { } path)
            {
                // Write-then-rename so a test polling the file never reads a half-written number.
                var temp = path + ".tmp";
                File.WriteAllText(temp, _count.ToString(CultureInfo.InvariantCulture));
                File.Move(temp, path, overwrite: true);
            }
        }
    }

    private long? ReadStateFile()
    {
        if (_options.StateFile is not { } path || !File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidOperationException($"state_file {path} does not hold a whole number: \"{text}\"");
    }
}

/// <summary>Configuration of <see cref="NoopTarget"/>.</summary>
public sealed class NoopTargetOptions
{
    /// <summary>The start count (ignored when <see cref="StateFile"/> exists).</summary>
    public long Count { get; init; }

    /// <summary>What Status reports as ready.</summary>
    public bool Ready { get; init; } = true;

    /// <summary>Scale answers "no-op" (gRPC ABORTED).</summary>
    public bool NoOp { get; init; }

    /// <summary>Scale fails (gRPC INTERNAL).</summary>
    public bool FailScale { get; init; }

    /// <summary>Scale never returns (until cancelled).</summary>
    public bool HangScale { get; init; }

    /// <summary>A file that holds the count, read by Status and written by Scale.</summary>
    public string? StateFile { get; init; }

    /// <summary>A file that gets one line <c>from to direction reason</c> appended per Scale call.</summary>
    public string? ScaleLog { get; init; }

    /// <summary>Status relays the Scale calls since the plugin started as counter <c>noop_target.scale_count</c>,
    /// tagged <c>direction</c> and <c>reason</c>.</summary>
    public bool RelayScaleCount { get; init; }
}
