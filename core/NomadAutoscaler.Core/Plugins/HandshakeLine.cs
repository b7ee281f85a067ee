namespace NomadAutoscaler.Core.Plugins;

/// <summary>The parsed go-plugin handshake line <c>CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT[|MUX]</c>.</summary>
/// <param name="AppProtocolVersion">The negotiated app protocol version.</param>
/// <param name="Network"><c>unix</c> or <c>tcp</c>.</param>
/// <param name="Address">Socket path or <c>host:port</c>.</param>
/// <param name="ServerCertificate">DER of the plugin's AutoMTLS certificate, or null without AutoMTLS.</param>
internal sealed record HandshakeLine(int AppProtocolVersion, string Network, string Address, byte[]? ServerCertificate)
{
    public const int CoreProtocolVersion = 1;

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

        if (!int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var core) || core != CoreProtocolVersion)
            throw new HandshakeFormatException($"incompatible core API version with plugin: plugin announced \"{Shorten(parts[0])}\", agent supports {CoreProtocolVersion}");

        if (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var app))
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
