using System.Text;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>The subset of Go <c>text/template</c> that os-nova user-data templates use: <c>{{ .Field }}</c> with the
/// fields <c>.Name</c>, <c>.AZ</c>, <c>.RandomUUID</c>, <c>.ShortRandomUUID</c>, <c>.PoolName</c>, and the <c>{{-</c> /
/// <c>-}}</c> whitespace trimming markers. Anything else is a parse error naming the line, so a template is rejected
/// before any server is created.</summary>
internal sealed class UserDataTemplate
{
    private static readonly string[] Fields = ["Name", "AZ", "RandomUUID", "ShortRandomUUID", "PoolName"];
    private readonly IReadOnlyList<(string? Text, string? Field)> _parts;

    private UserDataTemplate(IReadOnlyList<(string?, string?)> parts) => _parts = parts;

    /// <summary>Parses template text.</summary>
    /// <exception cref="FormatException"><c>line N: ...</c>.</exception>
    public static UserDataTemplate Parse(string text)
    {
        var parts = new List<(string?, string?)>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((text[position..], null));
                break;
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new FormatException($"line {Line(text, open)}: unclosed action");
            var literal = text[position..open];
            var action = text[(open + 2)..close];
            if (action.StartsWith('-') && (action.Length == 1 || char.IsWhiteSpace(action[1])))
            {
                literal = literal.TrimEnd();
                action = action[1..];
            }

            var trimRight = action.EndsWith('-') && (action.Length == 1 || char.IsWhiteSpace(action[^2]));
            if (trimRight) action = action[..^1];
            parts.Add((literal, null));
            var field = action.Trim();
            if (!field.StartsWith('.') || !Fields.Contains(field[1..], StringComparer.Ordinal))
                throw new FormatException($"line {Line(text, open)}: unsupported action {{{{{action.Trim()}}}}} (supported: {string.Join(", ", Fields.Select(f => "." + f))})");
            parts.Add((null, field[1..]));
            position = close + 2;
            if (trimRight)
            {
                while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
            }
        }

        return new UserDataTemplate(parts);
    }

    /// <summary>Renders with the server's values.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder();
        foreach (var (text, field) in _parts) sb.Append(text ?? values.GetValueOrDefault(field!, ""));
        return sb.ToString();
    }

    /// <summary>Base64 of the rendered text, unless it already is base64 (as upstream).</summary>
    public static string ToUserData(string rendered)
    {
        var trimmed = rendered.Trim();
        if (trimmed.Length > 0 && trimmed.Length % 4 == 0)
        {
            var buffer = new byte[trimmed.Length];
            if (Convert.TryFromBase64String(trimmed, buffer, out _)) return trimmed;
        }

        return Convert.ToBase64String(Encoding.UTF8.GetBytes(rendered));
    }

    private static int Line(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
