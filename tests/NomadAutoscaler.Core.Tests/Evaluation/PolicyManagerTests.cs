using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Core.Tests.Evaluation;

public sealed class PolicyManagerTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly AutoscalerMetrics _metrics = new();
    private readonly PolicyManager _manager;

    public PolicyManagerTests()
    {
        _plugins.Apms["apm"] = new FakeApm();
        _plugins.Strategies["s"] = new FakeStrategy();
        _plugins.Targets["os-nova"] = new FakeTarget { Count = 2 };
        _manager = new PolicyManager(_plugins, new Dictionary<string, int> { [PolicyTypes.Cluster] = 10 }, _time, NullLoggerFactory.Instance, _metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        _metrics.Dispose();
    }

    // Each its own pool: policies for one pool would conflict.
    private static ScalingPolicy Policy(int i, TimeSpan interval) => Policies.Cluster() with
    {
        Id = $"p{i}",
        EvaluationInterval = interval,
        Target = new PolicyTarget("os-nova", new Dictionary<string, string> { ["node_class"] = $"pool-{i}" }),
    };

    private async Task<List<TimeSpan>> FirstEvaluationOffsetsAsync(int count, TimeSpan interval)
    {
        var start = _time.GetUtcNow();
        await _manager.ApplyAsync(new PolicySnapshot("file", [.. Enumerable.Range(0, count).Select(i => Policy(i, interval))], []));
        var handlers = Enumerable.Range(0, count).Select(i => _manager.Find($"p{i}")!).ToList();
        await Eventually.TrueAsync(() => handlers.All(h => h.NextEvaluation is not null), "every handler to schedule its first evaluation");
        return [.. handlers.Select(h => h.NextEvaluation!.Value - start - interval)];
    }

    [Fact]
    public async Task A_single_new_policy_is_first_evaluated_one_interval_after_start()
    {
        Assert.Equal([TimeSpan.Zero], await FirstEvaluationOffsetsAsync(1, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Policies_added_together_are_spread_one_millisecond_apart()
    {
        // Thousands of file policies load in one snapshot; without the spread they would all fall due in the same
        // instant, every interval, and queue behind each other.
        Assert.Equal([0, 1, 2, 3], (await FirstEvaluationOffsetsAsync(4, TimeSpan.FromMinutes(1))).Select(o => o.TotalMilliseconds));
    }

    [Fact]
    public async Task The_spread_never_exceeds_one_interval()
    {
        Assert.Equal([0, 0.5, 1, 1.5], (await FirstEvaluationOffsetsAsync(4, TimeSpan.FromMilliseconds(2))).Select(o => o.TotalMilliseconds));
    }
}
