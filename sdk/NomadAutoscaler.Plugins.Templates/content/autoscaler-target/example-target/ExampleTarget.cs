using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Logging;

namespace ExampleTargetPlugin;

/// <summary>A target plugin: the agent asks it for the current count (<c>Status</c>) and tells it the new one
/// (<c>Scale</c>). This one keeps the counts in memory, one per <c>resource</c> named in the policy's target block;
/// replace that with calls to the system you scale.</summary>
[Plugin("example-target")]
public sealed class ExampleTarget(ILogger<ExampleTarget> logger) : ITargetPlugin<ExampleTargetOptions>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _counts = [];
    private ExampleTargetOptions _options = new();

    /// <inheritdoc />
    public ValueTask ConfigureAsync(ExampleTargetOptions options, CancellationToken cancellationToken)
    {
        // Called before any other method, and again on every agent reload.
        lock (_lock) _options = options;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
    {
        var resource = target.GetString("resource", "default")!;
        lock (_lock)
        {
            var count = _counts.TryGetValue(resource, out var known) ? known : _options.InitialCount;
            return ValueTask.FromResult<TargetStatus?>(new TargetStatus(Ready: true, Count: count));
        }
    }

    /// <inheritdoc />
    public ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
    {
        var resource = target.GetString("resource", "default")!;
        lock (_lock)
        {
            var from = _counts.TryGetValue(resource, out var known) ? known : _options.InitialCount;
            var to = Math.Min(action.Count, _options.MaxCount);
            // The agent treats this as "nothing to do", not as a failure.
            if (to == from) throw new ScalingNoOpException($"{resource} is already at {from}");
            _counts[resource] = to;
            // hclog's style: a fixed message and key/value pairs, which the agent re-logs as they are.
            logger.Hclog(LogLevel.Information, "scaled", ("resource", resource), ("from", from), ("to", to), ("reason", action.Reason));
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>The agent's <c>target "example-target" { config = { ... } }</c> block. Keys are the snake_case property names;
/// unknown keys are rejected with a "did you mean" hint.</summary>
public sealed class ExampleTargetOptions
{
    /// <summary><c>initial_count</c>: the count reported before the first scale.</summary>
    [Range(0, long.MaxValue)]
    public long InitialCount { get; init; } = 1;

    /// <summary><c>max_count</c>: a hard ceiling, whatever the policy asks for.</summary>
    [Range(1, 1_000_000)]
    public long MaxCount { get; init; } = 100;
}
