using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class InProcessPluginTests
{
    public sealed class CounterOptions
    {
        public long Start { get; init; }
    }

    [Plugin("counter-target")]
    public sealed class CounterTarget(ILogger<CounterTarget> logger, TimeProvider timeProvider) : ITargetPlugin<CounterOptions>
    {
        public long Count { get; private set; }

        public DateTimeOffset ConfiguredAt { get; private set; }

        public ValueTask ConfigureAsync(CounterOptions options, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(logger);
            Count = options.Start;
            ConfiguredAt = timeProvider.GetUtcNow();
            return ValueTask.CompletedTask;
        }

        public ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
            => ValueTask.FromResult<TargetStatus?>(target.GetBoolean("missing") == true ? null : new TargetStatus(true, Count));

        public ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
        {
            if (action.Count == Count) throw new ScalingNoOpException();
            Count = action.Count;
            return ValueTask.CompletedTask;
        }
    }

    [Plugin("bad-strategy")]
    public sealed class BadStrategy : IStrategyPlugin<CounterOptions>
    {
        public ValueTask ConfigureAsync(CounterOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
            => ValueTask.FromResult(new ScalingAction(1, (ScalingDirection)0, "unset"));
    }

    public sealed class Unnamed : IApmPlugin<CounterOptions>
    {
        public ValueTask ConfigureAsync(CounterOptions options, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
            => ValueTask.FromResult<IReadOnlyList<MetricPoint>>([]);
    }

    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static IInProcessPlugin Create(Type type) => InProcessPluginFactory.Create(type, NullLoggerFactory.Instance, Time);

    [Fact]
    public async Task Create_TargetPlugin_ReportsNameKindAndInjectsServices()
    {
        await using var plugin = Create(typeof(CounterTarget));

        Assert.Equal("counter-target", plugin.Name);
        Assert.Equal(PluginKind.Target, plugin.Kind);
        await plugin.SetConfigAsync(new Dictionary<string, string> { ["start"] = "4" }, CancellationToken.None);
        Assert.Equal(Time.GetUtcNow(), ((CounterTarget)plugin.Instance).ConfiguredAt);
        Assert.Equal(4, (await plugin.GetStatusAsync(PluginSettings.Empty, CancellationToken.None))!.Count);
    }

    [Fact]
    public async Task Calls_BeforeSetConfig_AreRejected()
    {
        await using var plugin = Create(typeof(CounterTarget));

        await Assert.ThrowsAsync<PluginNotConfiguredException>(async () => await plugin.GetStatusAsync(PluginSettings.Empty, CancellationToken.None));
    }

    [Fact]
    public async Task SetConfig_BadConfig_ThrowsAndKeepsPreviousConfiguration()
    {
        await using var plugin = Create(typeof(CounterTarget));
        await plugin.SetConfigAsync(new Dictionary<string, string> { ["start"] = "2" }, CancellationToken.None);

        var exception = await Assert.ThrowsAsync<PluginConfigException>(async () =>
            await plugin.SetConfigAsync(new Dictionary<string, string> { ["start"] = "two" }, CancellationToken.None));

        Assert.Equal("start", Assert.Single(exception.Violations).Key);
        Assert.Equal(2, (await plugin.GetStatusAsync(PluginSettings.Empty, CancellationToken.None))!.Count);
    }

    [Fact]
    public async Task Scale_SameCount_SurfacesNoOp_AndStatusNullPassesThrough()
    {
        await using var plugin = Create(typeof(CounterTarget));
        await plugin.SetConfigAsync(new Dictionary<string, string>(), CancellationToken.None);

        await plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.Up, "more"), PluginSettings.Empty, CancellationToken.None);
        await Assert.ThrowsAsync<ScalingNoOpException>(async () =>
            await plugin.ScaleAsync(new ScalingAction(3, ScalingDirection.None, "same"), PluginSettings.Empty, CancellationToken.None));

        var missing = new PluginSettings(new Dictionary<string, string> { ["missing"] = "true" });
        Assert.Null(await plugin.GetStatusAsync(missing, CancellationToken.None));
    }

    [Fact]
    public async Task WrongKindCall_IsNotSupported()
    {
        await using var plugin = Create(typeof(CounterTarget));
        await plugin.SetConfigAsync(new Dictionary<string, string>(), CancellationToken.None);

        var exception = await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await plugin.QueryAsync(new ApmQuery("q", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), CancellationToken.None));
        Assert.Contains("target plugin, not a apm plugin", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strategy_UndefinedDirection_IsRejectedWithPluginName()
    {
        await using var plugin = Create(typeof(BadStrategy));
        await plugin.SetConfigAsync(new Dictionary<string, string>(), CancellationToken.None);
        var request = new StrategyRequest(new PolicyCheck("c", "s", "q", TimeSpan.Zero, new StrategyConfig("bad-strategy", PluginSettings.Empty)), [], 1);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(async () => await plugin.RunAsync(request, CancellationToken.None));

        Assert.Contains("bad-strategy", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WithoutPluginAttribute_ExplainsTheFix()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Create(typeof(Unnamed)));

        Assert.Contains("[Plugin(\"<id>\")]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NotAPlugin_Throws()
        => Assert.Throws<InvalidOperationException>(() => Create(typeof(string)));

    [Fact]
    public async Task Cancellation_IsObservedBeforeCallingThePlugin()
    {
        await using var plugin = Create(typeof(CounterTarget));
        await plugin.SetConfigAsync(new Dictionary<string, string>(), CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await plugin.GetStatusAsync(PluginSettings.Empty, cancelled.Token));
    }
}
