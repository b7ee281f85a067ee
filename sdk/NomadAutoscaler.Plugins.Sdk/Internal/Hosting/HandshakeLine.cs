using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>Builds the go-plugin handshake line <c>CORE|APP|NETWORK|ADDRESS|grpc|CERT[|MUX]</c> and negotiates the app version.</summary>
internal static class HandshakeLine
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

    /// <summary>Inverse of <see cref="EncodeCertificate"/>: restores the padding before decoding.</summary>
    public static byte[] DecodeCertificate(string field)
    {
        var padding = (4 - (field.Length % 4)) % 4;
        return Convert.FromBase64String(field + new string('=', padding));
    }

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
}
