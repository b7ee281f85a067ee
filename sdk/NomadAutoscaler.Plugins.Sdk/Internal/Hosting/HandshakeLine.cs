using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>The go-plugin handshake line <c>CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT[|MUX]</c>: built by a plugin
/// (<see cref="Build"/>), parsed by the agent (<see cref="Parse"/>), with the app version negotiation between them.</summary>
/// <param name="AppProtocolVersion">The negotiated app protocol version.</param>
/// <param name="Network"><c>unix</c> or <c>tcp</c>.</param>
/// <param name="Address">Socket path or <c>host:port</c>.</param>
/// <param name="ServerCertificate">DER of the plugin's AutoMTLS certificate, or null without AutoMTLS.</param>
internal sealed record HandshakeLine(int AppProtocolVersion, string Network, string Address, byte[]? ServerCertificate)
{
    /// <param name="appVersion">The negotiated app protocol version.</param>
    /// <param name="network"><c>unix</c> or <c>tcp</c>.</param>
    /// <param name="address">Socket path, or <c>127.0.0.1:port</c>.</param>
    /// <param name="certificateDer">The AutoMTLS server certificate, or null.</param>
    /// <param name="multiplexRequested">True when the host set PLUGIN_MULTIPLEX_GRPC; only then is field 7 printed,
    /// because go-plugin 1.0.1 hosts split into at most 6 fields and would glue a 7th onto the certificate.</param>
    /// <returns>The line including its trailing <c>\n</c>.</returns>
    public static string Build(int appVersion, string network, string address, byte[]? certificateDer, bool multiplexRequested)
    {
        if (address.Contains('|', StringComparison.Ordinal) || address.Contains('\n', StringComparison.Ordinal))
            throw new ArgumentException($"listener address cannot be put in a handshake line: {address}", nameof(address));
        var line = new StringBuilder()
            .Append(PluginProtocol.CoreProtocolVersion.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(appVersion.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(network).Append('|')
            .Append(address).Append('|')
            .Append("grpc").Append('|')
            .Append(certificateDer is null ? "" : EncodeCertificate(certificateDer));
        // We serve no yamux broker multiplexing, so the honest answer to a host that asks is "false"; a host that
        // requires it then fails with go-plugin's clear ErrGRPCBrokerMuxNotSupported instead of a broken connection.
        if (multiplexRequested) line.Append("|false");
        return line.Append('\n').ToString();
    }

    /// <summary>Go's base64.RawStdEncoding: standard alphabet, no padding.</summary>
    public static string EncodeCertificate(byte[] der) => Convert.ToBase64String(der).TrimEnd('=');

    /// <summary>Inverse of <see cref="EncodeCertificate"/>: restores the padding before decoding. Throws
    /// <see cref="FormatException"/> when the field is not unpadded standard base64.</summary>
    public static byte[] DecodeCertificate(string field)
        => DecodeRawBase64(field) ?? throw new FormatException("the certificate field is not unpadded standard base64");

    /// <summary>go-plugin's rule: the highest served version the host also accepts, else the lowest served one
    /// (which the host then rejects with a clear message).</summary>
    /// <param name="hostVersions">PLUGIN_PROTOCOL_VERSIONS as set by the host (may be null).</param>
    /// <param name="served">The versions this plugin serves.</param>
    /// <param name="invalidEntries">Entries that were not integers (go-plugin warns and skips them).</param>
    public static int NegotiateAppVersion(string? hostVersions, IReadOnlyList<int> served, out IReadOnlyList<string> invalidEntries)
    {
        var invalid = new List<string>();
        var accepted = new HashSet<int>();
        if (!string.IsNullOrEmpty(hostVersions))
        {
            foreach (var entry in hostVersions.Split(','))
            {
                if (int.TryParse(entry.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
                    accepted.Add(version);
                else
                    invalid.Add(entry);
            }
        }

        invalidEntries = invalid;
        foreach (var version in served.OrderDescending())
        {
            if (accepted.Contains(version)) return version;
        }

        return served.Min();
    }

    /// <summary>Parses the line by go-plugin's host rules: <c>core|app|network|address|protocol[|cert]</c>, core
    /// version 1, an offered app version, protocol <c>grpc</c>. Throws
    /// <see cref="HandshakeFormatException"/> with a message fit for users.</summary>
    public static HandshakeLine Parse(string line, IReadOnlyCollection<int> offeredAppVersions)
    {
        // The whole line is trimmed (CRLF tolerated); the fields are not, so "1 |1" fails as in Go.
        var trimmed = line.Trim();
        var parts = trimmed.Split('|');
        if (parts.Length < 4)
            throw new HandshakeFormatException($"unrecognized remote plugin message: \"{Shorten(trimmed)}\" (expected CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT; is this a nomad-autoscaler plugin?)");

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var core) || core != PluginProtocol.CoreProtocolVersion)
            throw new HandshakeFormatException($"incompatible core API version with plugin: plugin announced \"{Shorten(parts[0])}\", agent supports {PluginProtocol.CoreProtocolVersion}");

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var app))
            throw new HandshakeFormatException($"error parsing protocol version \"{Shorten(parts[1])}\" from plugin handshake");
        if (!offeredAppVersions.Contains(app))
            throw new HandshakeFormatException($"incompatible API version with plugin: plugin version {app}, agent versions {string.Join(",", offeredAppVersions)}");

        var network = parts[2];
        if (network is not ("unix" or "tcp"))
            throw new HandshakeFormatException($"unsupported network \"{Shorten(network)}\" in plugin handshake (expected unix or tcp)");
        var address = parts[3];
        if (address.Length == 0)
            throw new HandshakeFormatException("empty address in plugin handshake");

        // Go hosts assume netrpc when the field is missing; the autoscaler allows only grpc.
        var protocol = parts.Length > 4 ? parts[4] : "netrpc";
        if (protocol != "grpc")
            throw new HandshakeFormatException($"unsupported plugin protocol \"{Shorten(protocol)}\"; supported: [grpc]");

        byte[]? certificate = null;
        if (parts.Length > 5 && parts[5].Length > 50)
        {
            certificate = DecodeRawBase64(parts[5])
                ?? throw new HandshakeFormatException("the plugin's certificate in the handshake is not valid base64");
        }

        return new HandshakeLine(app, network, address, certificate);
    }

    /// <summary>Go <c>RawStdEncoding</c> decode: standard alphabet, padding removed.</summary>
    private static byte[]? DecodeRawBase64(string text)
    {
        var padded = (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            0 => text,
            _ => null,
        };
        if (padded is null || text.Contains('=', StringComparison.Ordinal)) return null;
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
