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

    private static readonly int[] Offered = [PluginProtocol.AppProtocolVersion];

    [Theory]
    [InlineData("1|1|unix|/tmp/plugin2378551632|grpc|", "unix", "/tmp/plugin2378551632")]
    [InlineData("1|1|unix|/tmp/plugin2378551632|grpc", "unix", "/tmp/plugin2378551632")]
    [InlineData("1|1|tcp|127.0.0.1:10001|grpc|", "tcp", "127.0.0.1:10001")]
    [InlineData("1|1|unix|/tmp/p|grpc|\r\n", "unix", "/tmp/p")]
    [InlineData("  1|1|unix|/tmp/p|grpc|  ", "unix", "/tmp/p")]
    [InlineData("1|1|unix|/tmp/p|grpc||true", "unix", "/tmp/p")]
    [InlineData("1|1|unix|/tmp/p|grpc|short-cert-field-is-ignored", "unix", "/tmp/p")]
    public void Accepts_valid_lines(string line, string network, string address)
    {
        var parsed = HandshakeLine.Parse(line, Offered);
        Assert.Equal(1, parsed.AppProtocolVersion);
        Assert.Equal(network, parsed.Network);
        Assert.Equal(address, parsed.Address);
        Assert.Null(parsed.ServerCertificate);
    }

    [Theory]
    [InlineData("", "unrecognized remote plugin message")]
    [InlineData("hello world", "unrecognized remote plugin message")]
    [InlineData("1|1|unix", "unrecognized remote plugin message")]
    [InlineData("2|1|unix|/tmp/p|grpc|", "incompatible core API version")]
    [InlineData("1 |1|unix|/tmp/p|grpc|", "incompatible core API version")]
    [InlineData("x|1|unix|/tmp/p|grpc|", "incompatible core API version")]
    [InlineData("1|2|unix|/tmp/p|grpc|", "incompatible API version with plugin: plugin version 2")]
    [InlineData("1| 1|unix|/tmp/p|grpc|", "error parsing protocol version")]
    [InlineData("1|1|udp|/tmp/p|grpc|", "unsupported network \"udp\"")]
    [InlineData("1|1|unix |/tmp/p|grpc|", "unsupported network")]
    [InlineData("1|1|unix||grpc|", "empty address")]
    [InlineData("1|1|unix|/tmp/p|netrpc|", "unsupported plugin protocol \"netrpc\"")]
    [InlineData("1|1|unix|/tmp/p", "unsupported plugin protocol \"netrpc\"")]
    [InlineData("1|1|unix|/tmp/p|grpc |", "unsupported plugin protocol \"grpc \"")]
    public void Rejects_each_broken_rule_with_its_own_message(string line, string expected)
    {
        var ex = Assert.Throws<HandshakeFormatException>(() => HandshakeLine.Parse(line, Offered));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Splits_on_every_bar_so_a_seventh_field_does_not_stick_to_the_certificate()
    {
        var der = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        var raw = Convert.ToBase64String(der).TrimEnd('=');
        var parsed = HandshakeLine.Parse($"1|1|unix|/tmp/p|grpc|{raw}|true", Offered);
        Assert.Equal(der, parsed.ServerCertificate);
    }

    [Fact]
    public void Certificate_field_is_raw_base64_without_padding()
    {
        var der = Enumerable.Range(0, 61).Select(i => (byte)(i * 7)).ToArray();
        var raw = Convert.ToBase64String(der).TrimEnd('=');
        Assert.True(raw.Length > 50);
        Assert.Equal(der, HandshakeLine.Parse($"1|1|unix|/tmp/p|grpc|{raw}", Offered).ServerCertificate);

        var ex = Assert.Throws<HandshakeFormatException>(() => HandshakeLine.Parse($"1|1|unix|/tmp/p|grpc|{new string('*', 60)}", Offered));
        Assert.Contains("not valid base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void App_version_must_be_one_the_agent_offered()
    {
        Assert.Equal(2, HandshakeLine.Parse("1|2|unix|/tmp/p|grpc|", [1, 2]).AppProtocolVersion);
        Assert.Throws<HandshakeFormatException>(() => HandshakeLine.Parse("1|3|unix|/tmp/p|grpc|", [1, 2]));
    }

    // The agent parses exactly what a plugin built with this SDK prints, for every shape the SDK can print.
    [Theory]
    [InlineData("unix", "/tmp/plugin123", false, false)]
    [InlineData("tcp", "127.0.0.1:10000", false, true)]
    [InlineData("unix", "/tmp/p", true, false)]
    [InlineData("tcp", "127.0.0.1:24999", true, true)]
    public void Parse_reads_back_what_Build_prints(string network, string address, bool withCertificate, bool multiplexRequested)
    {
        var der = withCertificate ? Enumerable.Range(0, 64).Select(i => (byte)(i * 5)).ToArray() : null;
        var version = HandshakeLine.NegotiateAppVersion("1", PluginProtocol.ServedAppVersions, out _);

        var parsed = HandshakeLine.Parse(HandshakeLine.Build(version, network, address, der, multiplexRequested), Offered);

        Assert.Equal(version, parsed.AppProtocolVersion);
        Assert.Equal(network, parsed.Network);
        Assert.Equal(address, parsed.Address);
        Assert.Equal(der, parsed.ServerCertificate);
    }

    [Theory]
    [InlineData("AQIDBA==")]
    [InlineData("A")]
    [InlineData("**")]
    public void DecodeCertificate_rejects_what_Go_RawStdEncoding_rejects(string field)
        => Assert.Throws<FormatException>(() => HandshakeLine.DecodeCertificate(field));
}
