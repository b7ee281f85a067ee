using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>Picks the winning action among check results, as upstream: up beats none beats down; among ups the
/// larger count wins, among downs the larger (least aggressive) count; ties keep the earlier check. Inside a named
/// group, none votes are ignored unless every vote is none.</summary>
internal static class CheckCombiner
{
    public static ScalingAction? PickWinner(IReadOnlyList<(string Group, ScalingAction Action)> results)
    {
        if (results.Count == 0) return null;

        var candidates = new List<ScalingAction>();
        foreach (var group in results.GroupBy(r => r.Group))
        {
            if (group.Key.Length == 0)
            {
                candidates.AddRange(group.Select(r => r.Action));
                continue;
            }

            var votes = group.Select(r => r.Action).Where(a => a.Direction != ScalingDirection.None).ToList();
            candidates.Add(votes.Count == 0 ? group.First().Action : Best(votes)!);
        }

        return Best(candidates);
    }

    private static ScalingAction? Best(IReadOnlyList<ScalingAction> actions)
    {
        ScalingAction? winner = null;
        foreach (var action in actions)
        {
            if (winner is null || Beats(action, winner)) winner = action;
        }

        return winner;
    }

    private static bool Beats(ScalingAction challenger, ScalingAction holder)
    {
        var c = Rank(challenger.Direction);
        var h = Rank(holder.Direction);
        if (c != h) return c > h;
        return challenger.Direction is ScalingDirection.Up or ScalingDirection.Down && challenger.Count > holder.Count;
    }

    private static int Rank(ScalingDirection direction) => direction switch
    {
        ScalingDirection.Up => 3,
        ScalingDirection.None => 2,
        _ => 1,
    };
}
