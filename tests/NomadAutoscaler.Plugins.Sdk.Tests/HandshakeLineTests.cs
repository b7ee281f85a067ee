using NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class HandshakeLineTests
{
    [Fact]
    public void Build_WithoutCertificate_HasSixFieldsAndEndsInPipe()
        => Assert.Equal("1|1|unix|/tmp/plugin123|grpc|\n", HandshakeLine.Build(1, "unix", "/tmp/plugin123", null, multiplexRequested: false));

    [Fact]
    public void Build_MultiplexRequested_AppendsSeventhFieldFalse()
        => Assert.Equal("1|1|tcp|127.0.0.1:10000|grpc||false\n", HandshakeLine.Build(1, "tcp", "127.0.0.1:10000", null, multiplexRequested: true));

    [Fact]
    public void Build_WithCertificate_PutsUnpaddedBase64InFieldSix()
    {
        byte[] der = [1, 2, 3, 4];

        var line = HandshakeLine.Build(1, "unix", "/s", der, multiplexRequested: false);

        Assert.Equal("1|1|unix|/s|grpc|AQIDBA\n", line);
        Assert.Equal(der, HandshakeLine.DecodeCertificate("AQIDBA"));
    }

    [Fact]
    public void Build_AddressWithPipe_Throws()
        => Assert.Throws<ArgumentException>(() => HandshakeLine.Build(1, "unix", "/tmp/a|b", null, false));

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3,1,2", 1)]
    [InlineData(null, 1)]
    [InlineData("2", 1)]
    public void NegotiateAppVersion_ServingOnlyOne_AlwaysAnswersOne(string? hostVersions, int expected)
        => Assert.Equal(expected, HandshakeLine.NegotiateAppVersion(hostVersions, [1], out _));

    [Fact]
    public void NegotiateAppVersion_PicksHighestShared_AndReportsInvalidEntries()
    {
        var version = HandshakeLine.NegotiateAppVersion("x,2, 3", [1, 2, 4], out var invalid);

        Assert.Equal(2, version);
        Assert.Equal(["x"], invalid);
    }

    [Fact]
    public void NegotiateAppVersion_NothingShared_AnnouncesLowestServed()
        => Assert.Equal(2, HandshakeLine.NegotiateAppVersion("7", [2, 3], out _));
}
