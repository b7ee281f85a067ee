namespace NomadAutoscaler.Plugins.Sdk.Testing.Internal;

/// <summary>A parsed go-plugin handshake line, read the way the latest go-plugin host reads it
/// (TrimSpace on the line, split on every <c>|</c>, fields not trimmed).</summary>
internal sealed record HandshakeInfo(
    IReadOnlyList<string> Fields, string CoreVersion, string AppVersion, string Network, string Address, string Protocol, string Certificate)
{
    /// <summary>Field 7, or null when the line has 6 or fewer.</summary>
    public string? Multiplex => Fields.Count >= 7 ? Fields[6] : null;

    public static HandshakeInfo? TryParse(string line, out string error)
    {
        var fields = line.Trim().Split('|');
        if (fields.Length < 4)
        {
            error = $"\"{line}\" has {fields.Length} fields; go-plugin hosts need at least 4 (\"Unrecognized remote plugin message\")";
            return null;
        }

        error = "";
        return new HandshakeInfo(
            fields, fields[0], fields[1], fields[2], fields[3],
            fields.Length > 4 ? fields[4] : "", fields.Length > 5 ? fields[5] : "");
    }
}
