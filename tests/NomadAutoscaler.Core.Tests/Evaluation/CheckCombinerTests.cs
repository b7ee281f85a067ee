using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Evaluation;

public sealed class CheckCombinerTests
{
    private static (string, ScalingAction) Vote(string group, ScalingDirection direction, long count = 0, string reason = "")
        => (group, new ScalingAction(count, direction, reason));

    [Fact]
    public void Up_beats_none_beats_down()
    {
        var winner = CheckCombiner.PickWinner([Vote("", ScalingDirection.Down, 1), Vote("", ScalingDirection.None), Vote("", ScalingDirection.Up, 5)]);
        Assert.Equal(ScalingDirection.Up, winner!.Direction);

        winner = CheckCombiner.PickWinner([Vote("", ScalingDirection.Down, 1), Vote("", ScalingDirection.None)]);
        Assert.Equal(ScalingDirection.None, winner!.Direction);
    }

    [Fact]
    public void Largest_up_and_least_aggressive_down_win()
    {
        Assert.Equal(9, CheckCombiner.PickWinner([Vote("", ScalingDirection.Up, 4), Vote("", ScalingDirection.Up, 9)])!.Count);
        Assert.Equal(6, CheckCombiner.PickWinner([Vote("", ScalingDirection.Down, 2), Vote("", ScalingDirection.Down, 6)])!.Count);
    }

    [Fact]
    public void Ties_keep_the_earlier_check()
    {
        var winner = CheckCombiner.PickWinner([Vote("", ScalingDirection.Up, 4, "first"), Vote("", ScalingDirection.Up, 4, "second")]);
        Assert.Equal("first", winner!.Reason);
    }

    [Fact]
    public void None_votes_inside_a_named_group_do_not_veto_a_tier()
    {
        var winner = CheckCombiner.PickWinner([Vote("tiers", ScalingDirection.None), Vote("tiers", ScalingDirection.Down, 3), Vote("tiers", ScalingDirection.None)]);
        Assert.Equal(ScalingDirection.Down, winner!.Direction);
    }

    [Fact]
    public void Ungrouped_none_still_vetoes_a_down()
    {
        var winner = CheckCombiner.PickWinner([Vote("", ScalingDirection.None), Vote("", ScalingDirection.Down, 3)]);
        Assert.Equal(ScalingDirection.None, winner!.Direction);
    }

    [Fact]
    public void All_none_group_yields_none_and_no_votes_yield_null()
    {
        Assert.Equal(ScalingDirection.None, CheckCombiner.PickWinner([Vote("g", ScalingDirection.None), Vote("g", ScalingDirection.None)])!.Direction);
        Assert.Null(CheckCombiner.PickWinner([]));
    }
}
