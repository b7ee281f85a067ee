namespace NomadAutoscaler.Agent.Tests;

public sealed class InheritedSignalsTests
{
    [Fact]
    public void The_ignored_mask_is_read_from_the_SigIgn_line()
    {
        // A shell's background job: SIGINT (2) and SIGQUIT (3) ignored, and SIGPIPE (13) as the runtime sets it.
        var mask = InheritedSignals.IgnoredMask(["Name:\tnomad-autoscale", "SigBlk:\t0000000000000000", "SigIgn:\t0000000000001006", "SigCgt:\t0000000000000000"]);

        Assert.Equal(0x1006UL, mask);
        Assert.Equal([2, 3, 13], Enumerable.Range(1, 64).Where(n => (mask & (1UL << (n - 1))) != 0));
    }

    [Fact]
    public void Without_a_SigIgn_line_nothing_is_ignored()
    {
        Assert.Equal(0UL, InheritedSignals.IgnoredMask(["Name:\tx"]));
    }
}
