using System.Collections.Concurrent;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Evaluation;

internal sealed class FakeApm : IApmClient
{
    public string PluginName => "apm";

    public async Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken) => [await QueryAsync(query, cancellationToken)];

    public Func<ApmQuery, IReadOnlyList<MetricPoint>> Answer { get; set; } = _ => [new MetricPoint(DateTimeOffset.UnixEpoch, 1)];

    public ConcurrentQueue<ApmQuery> Queries { get; } = new();

    public Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
    {
        Queries.Enqueue(query);
        return Task.FromResult(Answer(query));
    }
}

internal sealed class FakeStrategy : IStrategyClient
{
    public string PluginName => "strategy";

    public Func<StrategyRequest, ScalingAction> Answer { get; set; } = _ => ScalingAction.NoChange();

    public Task<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken) => Task.FromResult(Answer(request));
}

internal sealed class FakeTarget : ITargetClient
{
    public string PluginName => "target";

    private int _inFlight;

    public long Count { get; set; }

    public bool Ready { get; set; } = true;

    public Dictionary<string, string> Meta { get; } = new();

    public Exception? ScaleError { get; set; }

    public bool AnswerNoOp { get; set; }

    public string? NoOpReason { get; set; }

    public TaskCompletionSource? HoldScale { get; set; }

    /// <summary>The cancellation token of each scale call, in order.</summary>
    public ConcurrentQueue<CancellationToken> ScaleTokens { get; } = new();

    public ConcurrentQueue<(ScalingAction Action, IReadOnlyDictionary<string, string> Config)> Scales { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> StatusCalls { get; } = new();

    public int MaxConcurrentScales { get; private set; }

    public Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        StatusCalls.Enqueue(config);
        return Task.FromResult<TargetStatus?>(new TargetStatus(Ready, Count) { Meta = new Dictionary<string, string>(Meta) });
    }

    public async Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        MaxConcurrentScales = Math.Max(MaxConcurrentScales, now);
        try
        {
            Scales.Enqueue((action, config));
            ScaleTokens.Enqueue(cancellationToken);
            if (HoldScale is { } hold) await hold.Task;
            if (ScaleError is { } error) throw error;
            if (AnswerNoOp) return ScaleOutcome.NoOpBecause(NoOpReason);
            Count = action.Count;
            return ScaleOutcome.Scaled;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

internal sealed class FakePlugins : IPluginDirectory
{
    public Dictionary<string, IApmClient> Apms { get; } = new();

    public Dictionary<string, IStrategyClient> Strategies { get; } = new();

    public Dictionary<string, ITargetClient> Targets { get; } = new();

    public Dictionary<string, string> Drivers { get; } = new();

    public IApmClient? FindApm(string name) => Apms.GetValueOrDefault(name);

    public IStrategyClient? FindStrategy(string name) => Strategies.GetValueOrDefault(name);

    public ITargetClient? FindTarget(string name) => Targets.GetValueOrDefault(name);

    public string? ApmDriver(string name) => Drivers.GetValueOrDefault(name);
}

internal static class Policies
{
    public static ScalingPolicy Cluster(long min = 1, long max = 7, params PolicyCheckSpec[] checks) => new()
    {
        Id = "p1",
        Name = "worker_pool_policy",
        Source = "file",
        Type = PolicyTypes.Cluster,
        Enabled = true,
        Min = min,
        Max = max,
        Cooldown = TimeSpan.FromMinutes(2),
        CooldownOnScaleUp = TimeSpan.FromMinutes(2),
        EvaluationInterval = TimeSpan.FromMinutes(1),
        Checks = checks.Length > 0 ? checks : [Check("cpu")],
        Target = new PolicyTarget("os-nova", new Dictionary<string, string> { ["node_class"] = "nom-pool" }),
    };

    public static PolicyCheckSpec Check(string name, string strategy = "s", string group = "", string onError = "", string query = "q") => new()
    {
        Name = name,
        Source = "apm",
        Query = query,
        StrategyName = strategy,
        Group = group,
        OnError = onError,
    };
}

internal static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail("timed out waiting for: " + what);
            await Task.Yield();
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
