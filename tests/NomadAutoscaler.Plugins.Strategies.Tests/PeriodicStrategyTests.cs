using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Periodic;

namespace NomadAutoscaler.Plugins.Strategies.Tests;

public sealed class PeriodicStrategyTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);
    private readonly PeriodicStrategy _strategy = new(new CapturingLogger<PeriodicStrategy>());

    /// <summary>One evaluation at <paramref name="at"/> from the start, as the agent sends it: the query's newest point.</summary>
    private ScalingAction Run(TimeSpan at, long count, double metric, string config = "period=1h;lead=2m", string query = "node_desired-nodes_resources/node_class=nom-pool")
        => _strategy.Run(new StrategyRequest(
            new PolicyCheck("demand", "nomad-apm", query, TimeSpan.FromMinutes(1), new StrategyConfig("periodic", new PluginSettings(TestRequests.Config(config)))),
            [new MetricPoint(TestRequests.Start + at, metric)],
            count));

    /// <summary>Plays one hour of a burst (demand 1, then 5 from 5m to 20m) at a 20 s interval, with the count following
    /// the decisions; returns the count at each evaluation.</summary>
    private List<(TimeSpan At, long Count, ScalingAction Action)> PlayHour(int hour, string config = "period=1h;lead=2m")
    {
        var played = new List<(TimeSpan, long, ScalingAction)>();
        long count = 1;
        for (var at = TimeSpan.FromHours(hour); at < TimeSpan.FromHours(hour + 1); at += Interval)
        {
            var phase = at - TimeSpan.FromHours(hour);
            var demand = phase >= TimeSpan.FromMinutes(5) && phase < TimeSpan.FromMinutes(20) ? 5 : 1;
            var action = Run(at, count, demand, config);
            played.Add((phase, count, action));
            if (action.Direction != ScalingDirection.None) count = action.Count;
        }

        return played;
    }

    [Fact]
    public void Without_history_it_is_pass_through()
    {
        var up = Run(TimeSpan.Zero, 2, 5.7);
        var down = Run(Interval, 5, 1);

        Assert.Equal((5L, ScalingDirection.Up, "scaling up because metric is 5"), (up.Count, up.Direction, up.Reason));
        Assert.Equal((1L, ScalingDirection.Down, "scaling down because metric is 1"), (down.Count, down.Direction, down.Reason));
    }

    [Fact]
    public void The_second_period_scales_out_a_lead_ahead_of_the_burst_and_back_when_it_ended_last_time()
    {
        var first = PlayHour(0);
        var second = PlayHour(1);

        // The first hour reacts: the scale-out comes with the burst.
        Assert.Equal(TimeSpan.FromMinutes(5), first.First(e => e.Action.Direction == ScalingDirection.Up).At);
        // The second scales out as soon as the burst is within the lead (2m) of this instant one period ago.
        var early = second.First(e => e.Action.Direction == ScalingDirection.Up);
        Assert.Equal((TimeSpan.FromMinutes(3), 5L), (early.At, early.Action.Count));
        Assert.Equal("scaling up because 1h0m0s ago the metric reached 5 within the next 2m0s (now 1)", early.Action.Reason);
        // Nothing gives the servers back before the burst has come and gone.
        var down = second.First(e => e.Action.Direction == ScalingDirection.Down);
        Assert.Equal((TimeSpan.FromMinutes(20), 1L), (down.At, down.Action.Count));
    }

    [Fact]
    public void With_two_seasons_a_one_off_is_not_repeated_until_it_recurs()
    {
        const string config = "period=1h;lead=2m;seasons=2";
        PlayHour(0, config);
        var second = PlayHour(1, config);
        var third = PlayHour(2, config);

        Assert.Equal(TimeSpan.FromMinutes(5), second.First(e => e.Action.Direction == ScalingDirection.Up).At);
        Assert.Equal(TimeSpan.FromMinutes(3), third.First(e => e.Action.Direction == ScalingDirection.Up).At);
    }

    [Fact]
    public void A_lower_peak_in_an_earlier_season_limits_the_pre_scale()
    {
        const string config = "period=10m;lead=1m;seasons=2";
        Run(TimeSpan.FromMinutes(1), 1, 3, config);   // two periods ago: 3
        Run(TimeSpan.FromMinutes(11), 1, 6, config);  // one period ago: 6

        var action = Run(TimeSpan.FromMinutes(20.5), 1, 1, config);

        Assert.Equal((3L, ScalingDirection.Up), (action.Count, action.Direction));
    }

    [Fact]
    public void A_peak_last_period_holds_capacity_against_a_scale_in()
    {
        Run(TimeSpan.FromMinutes(2), 4, 4);

        var hold = Run(TimeSpan.FromMinutes(61), 4, 1);

        Assert.Equal(ScalingDirection.None, hold.Direction);
    }

    [Fact]
    public void Checks_with_different_queries_keep_separate_histories()
    {
        Run(TimeSpan.FromMinutes(2), 1, 6, query: "node_desired-nodes_resources/node_class=a");

        var other = Run(TimeSpan.FromMinutes(61), 1, 1, query: "node_desired-nodes_resources/node_class=b");

        Assert.Equal(ScalingDirection.None, other.Direction);
    }

    [Fact]
    public void Max_scale_up_limits_a_pre_scale()
    {
        Run(TimeSpan.FromMinutes(2), 1, 6, "period=1h;lead=2m;max_scale_up=2");

        var action = Run(TimeSpan.FromMinutes(61), 1, 1, "period=1h;lead=2m;max_scale_up=2");

        Assert.Equal((3L, ScalingDirection.Up), (action.Count, action.Direction));
    }

    [Fact]
    public void No_metrics_gives_the_empty_action()
    {
        var action = _strategy.Run(TestRequests.Create("periodic", 3, TestRequests.Config("period=1h")));

        Assert.Equal((0L, ScalingDirection.None, ""), (action.Count, action.Direction, action.Reason));
    }

    [Theory]
    [InlineData("", "period")]
    [InlineData("period=soon", "period")]
    [InlineData("period=0s", "period")]
    [InlineData("period=1h;lead=1h", "lead")]
    [InlineData("period=1h;lead=-1s", "lead")]
    [InlineData("period=1h;seasons=0", "seasons")]
    [InlineData("period=1h;seasons=15", "seasons")]
    [InlineData("period=1h;max_scale_up=x", "max_scale_up")]
    public void Bad_configuration_is_an_error_naming_the_key(string config, string key)
    {
        var error = Assert.Throws<PluginConfigException>(() => Run(TimeSpan.Zero, 1, 1, config));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
