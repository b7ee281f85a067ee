namespace NomadAutoscaler.Lab.Tests;

public sealed class CapacityBoundTests
{
    [Theory]
    // Nothing wanted: no node.
    [InlineData(new[] { 0, 1000, 1024 }, 0)]
    // Five 1000 MHz allocations on 4000 MHz nodes: two nodes; nine: three (the mission's one extra server).
    [InlineData(new[] { 5, 1000, 1024 }, 2)]
    [InlineData(new[] { 9, 1000, 1024 }, 3)]
    // Memory can be the tighter resource: 3 x 3000 MiB on 8192 MiB nodes needs two nodes although CPU fits one.
    [InlineData(new[] { 3, 100, 3000 }, 2)]
    // Mixed sizes are packed largest first: 3 x 2500 and 3 x 1500 fill three nodes exactly.
    [InlineData(new[] { 3, 2500, 1024, 3, 1500, 1024 }, 3)]
    // An allocation larger than a node fits nowhere.
    [InlineData(new[] { 1, 5000, 1024 }, -1)]
    public void Packs_first_fit_decreasing(int[] groups, int expected)
    {
        var demand = Enumerable.Range(0, groups.Length / 3).Select(i => (groups[i * 3], groups[(i * 3) + 1], groups[(i * 3) + 2]));
        Assert.Equal(expected, CapacityBound.Nodes(demand, 4000, 8192));
    }
}
