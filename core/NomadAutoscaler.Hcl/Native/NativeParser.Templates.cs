using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Hcl.Native;

internal sealed partial class NativeParser
{
    private enum RawKind
    {
        Literal,
        Interpolation,
        If,
        Else,
        EndIf,
        For,
        EndFor,
    }

    /// <summary>One token-level template item before directives are nested.</summary>
    private sealed class RawPart
    {
        public RawKind Kind { get; init; }

        public string Text { get; set; } = "";

        public bool AtLineStart { get; init; }

        public HclExpression? Expression { get; init; }

        public string? KeyVariable { get; init; }

        public string? ValueVariable { get; init; }

        public bool StripBefore { get; init; }

        public bool StripAfter { get; init; }

        public HclRange Range { get; init; }
    }

    private HclExpression ParseQuotedTemplate()
    {
        var open = Read();
        var parts = ParseTemplateParts(TokenType.CQuote, heredoc: false);
        var close = Peek();
        int end;
        if (close.Type == TokenType.CQuote)
        {
            Read();
            end = close.End;
        }
        else
        {
            if (close.Type != TokenType.Newline)
            {
                Error(RangeOf(open), "Unterminated template string", "No closing marker was found for the string.");
            }

            end = close.Start;
        }

        return FinishTemplate(parts, RangeOf(open.Start, end), flush: false);
    }

    private HclExpression ParseHeredoc()
    {
        var open = Read();
        var flush = TextOf(open).StartsWith("<<-", StringComparison.Ordinal);
        var parts = ParseTemplateParts(TokenType.CHeredoc, heredoc: true);
        var close = Peek();
        int end;
        if (close.Type == TokenType.CHeredoc)
        {
            Read();
            end = close.End;
        }
        else
        {
            Error(RangeOf(close), "Unterminated template string", "No closing marker was found for the string.");
            end = close.Start;
        }

        return FinishTemplate(parts, RangeOf(open.Start, end), flush);
    }

    private List<RawPart> ParseTemplateParts(TokenType closer, bool heredoc)
    {
        var parts = new List<RawPart>();
        var atLineStart = true;
        while (true)
        {
            var token = _tokens[_index];
            if (token.Type is TokenType.QuotedLit or TokenType.StringLit)
            {
                _index++;
                var text = Unescape(token, quoted: !heredoc);
                parts.Add(new RawPart { Kind = RawKind.Literal, Text = text, AtLineStart = atLineStart, Range = RangeOf(token) });
                atLineStart = heredoc && text.EndsWith('\n');
                continue;
            }

            if (token.Type == TokenType.TemplateInterp)
            {
                _index++;
                atLineStart = false;
                _newlineModes.Push(false);
                try
                {
                    var expression = ParseExpressionChecked();
                    var end = ExpectSequenceEnd("interpolation");
                    parts.Add(new RawPart
                    {
                        Kind = RawKind.Interpolation,
                        Expression = expression,
                        StripBefore = token.StripMarker,
                        StripAfter = end?.StripMarker ?? false,
                        Range = RangeOf(token.Start, end?.End ?? expression.Range.End.Byte),
                    });
                }
                finally
                {
                    _newlineModes.Pop();
                }

                continue;
            }

            if (token.Type == TokenType.TemplateControl)
            {
                _index++;
                atLineStart = false;
                _newlineModes.Push(false);
                try
                {
                    var part = ParseDirective(token);
                    if (part is not null)
                    {
                        parts.Add(part);
                    }
                }
                finally
                {
                    _newlineModes.Pop();
                }

                continue;
            }

            _ = closer;
            return parts;
        }
    }

    private Token? ExpectSequenceEnd(string what)
    {
        var end = Peek();
        if (end.Type == TokenType.TemplateSeqEnd)
        {
            Read();
            return end;
        }

        Error(RangeOf(end), what == "interpolation" ? "Extra characters after interpolation expression" : "Extra characters in " + what + " marker",
            "Expected a closing brace to end the " + what + " expression, but found extra characters.");

        // Skip to the end of this sequence (or the end of the template) to resynchronise.
        while (true)
        {
            var token = _tokens[_index];
            if (token.Type is TokenType.Eof or TokenType.CQuote or TokenType.CHeredoc)
            {
                return null;
            }

            _index++;
            if (token.Type == TokenType.TemplateSeqEnd)
            {
                return token;
            }
        }
    }

    private RawPart? ParseDirective(Token open)
    {
        var keyword = Peek();
        var word = keyword.Type == TokenType.Ident ? TextOf(keyword) : "";
        switch (word)
        {
            case "if":
            {
                Read();
                var condition = ParseExpressionChecked();
                var end = ExpectSequenceEnd("if directive");
                return new RawPart { Kind = RawKind.If, Expression = condition, StripBefore = open.StripMarker, StripAfter = end?.StripMarker ?? false, Range = RangeOf(open.Start, end?.End ?? condition.Range.End.Byte) };
            }

            case "else" or "endif" or "endfor":
            {
                Read();
                var end = ExpectSequenceEnd(word + " directive");
                var kind = word switch { "else" => RawKind.Else, "endif" => RawKind.EndIf, _ => RawKind.EndFor };
                return new RawPart { Kind = kind, StripBefore = open.StripMarker, StripAfter = end?.StripMarker ?? false, Range = RangeOf(open.Start, end?.End ?? keyword.End) };
            }

            case "for":
            {
                Read();
                var first = Peek();
                if (first.Type != TokenType.Ident)
                {
                    Error(RangeOf(first), "Invalid 'for' directive", "For directive requires variable name after 'for'.");
                    ExpectSequenceEnd("for directive");
                    return null;
                }

                Read();
                string? keyVariable = null;
                var valueVariable = TextOf(first);
                if (Peek().Type == TokenType.Comma)
                {
                    Read();
                    var second = Peek();
                    if (second.Type != TokenType.Ident)
                    {
                        Error(RangeOf(second), "Invalid 'for' directive", "For directive requires value variable name after comma.");
                        ExpectSequenceEnd("for directive");
                        return null;
                    }

                    Read();
                    keyVariable = valueVariable;
                    valueVariable = TextOf(second);
                }

                if (!NextIsKeyword("in"))
                {
                    Error(RangeOf(Peek()), "Invalid 'for' directive", "For directive requires 'in' keyword after names.");
                    ExpectSequenceEnd("for directive");
                    return null;
                }

                Read();
                var collection = ParseExpressionChecked();
                var end = ExpectSequenceEnd("for directive");
                return new RawPart
                {
                    Kind = RawKind.For,
                    Expression = collection,
                    KeyVariable = keyVariable,
                    ValueVariable = valueVariable,
                    StripBefore = open.StripMarker,
                    StripAfter = end?.StripMarker ?? false,
                    Range = RangeOf(open.Start, end?.End ?? collection.Range.End.Byte),
                };
            }

            default:
                Error(RangeOf(keyword), "Invalid template directive",
                    "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence.");
                ExpectSequenceEnd("directive");
                return null;
        }
    }

    private HclExpression FinishTemplate(List<RawPart> parts, HclRange range, bool flush)
    {
        if (flush)
        {
            StripHeredocIndentation(parts);
        }

        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Kind == RawKind.Literal)
            {
                continue;
            }

            if (parts[i].StripBefore && i > 0 && parts[i - 1].Kind == RawKind.Literal)
            {
                parts[i - 1].Text = parts[i - 1].Text.TrimEnd(WhitespaceChars);
            }

            if (parts[i].StripAfter && i + 1 < parts.Count && parts[i + 1].Kind == RawKind.Literal)
            {
                parts[i + 1].Text = parts[i + 1].Text.TrimStart(WhitespaceChars);
            }
        }

        if (parts.Count == 1 && parts[0].Kind == RawKind.Interpolation)
        {
            // "${expr}" alone yields expr's own value and type, as hcl's TemplateWrapExpr does.
            return new ParenExpr(parts[0].Expression!, range);
        }

        var index = 0;
        var tree = BuildTemplateTree(parts, ref index, null);
        return new TemplateExpr(tree, range);
    }

    private static readonly char[] WhitespaceChars = [' ', '\t', '\n', '\r', '\v', '\f', '\u0085', '\u00a0'];

    private static void StripHeredocIndentation(List<RawPart> parts)
    {
        var minimum = int.MaxValue;
        foreach (var part in parts)
        {
            if (part.Kind != RawKind.Literal || !part.AtLineStart)
            {
                continue;
            }

            var text = part.Text;
            var indent = 0;
            while (indent < text.Length && (text[indent] == ' ' || text[indent] == '\t'))
            {
                indent++;
            }

            var restIsLineEnd = indent == text.Length ? false : text.AsSpan(indent).TrimEnd("\r\n").IsEmpty;
            if (restIsLineEnd)
            {
                // Blank lines don't count towards the common indentation.
                continue;
            }

            minimum = Math.Min(minimum, indent);
        }

        if (minimum == int.MaxValue || minimum == 0)
        {
            return;
        }

        foreach (var part in parts)
        {
            if (part.Kind != RawKind.Literal || !part.AtLineStart)
            {
                continue;
            }

            var text = part.Text;
            var remove = 0;
            while (remove < minimum && remove < text.Length && (text[remove] == ' ' || text[remove] == '\t'))
            {
                remove++;
            }

            part.Text = text[remove..];
        }
    }

    private List<TemplatePart> BuildTemplateTree(List<RawPart> parts, ref int index, RawPart? opener)
    {
        var result = new List<TemplatePart>();
        while (index < parts.Count)
        {
            var part = parts[index];
            switch (part.Kind)
            {
                case RawKind.Literal:
                    index++;
                    if (part.Text.Length > 0)
                    {
                        result.Add(new LiteralPart(part.Text));
                    }

                    break;
                case RawKind.Interpolation:
                    index++;
                    result.Add(new InterpolationPart(part.Expression!));
                    break;
                case RawKind.If:
                {
                    index++;
                    var whenTrue = BuildTemplateTree(parts, ref index, part);
                    var whenFalse = new List<TemplatePart>();
                    if (index < parts.Count && parts[index].Kind == RawKind.Else)
                    {
                        var elsePart = parts[index];
                        index++;
                        whenFalse = BuildTemplateTree(parts, ref index, elsePart);
                    }

                    if (index < parts.Count && parts[index].Kind == RawKind.EndIf)
                    {
                        index++;
                    }
                    else
                    {
                        Error(part.Range, "Unterminated template directive", "There is no %{ endif } to close this %{ if }.");
                    }

                    result.Add(new IfPart(part.Expression!, whenTrue, whenFalse));
                    break;
                }

                case RawKind.For:
                {
                    index++;
                    var body = BuildTemplateTree(parts, ref index, part);
                    if (index < parts.Count && parts[index].Kind == RawKind.EndFor)
                    {
                        index++;
                    }
                    else
                    {
                        Error(part.Range, "Unterminated template directive", "There is no %{ endfor } to close this %{ for }.");
                    }

                    result.Add(new ForPart(part.KeyVariable, part.ValueVariable!, part.Expression!, body));
                    break;
                }

                default:
                {
                    var name = part.Kind switch { RawKind.Else => "else", RawKind.EndIf => "endif", _ => "endfor" };
                    var fits = opener is not null && (part.Kind == RawKind.EndFor
                        ? opener.Kind == RawKind.For
                        : opener.Kind == RawKind.If || (opener.Kind == RawKind.Else && part.Kind == RawKind.EndIf));
                    if (fits)
                    {
                        return result;
                    }

                    Error(part.Range, string.Create(CultureInfo.InvariantCulture, $"Unexpected \"{name}\" directive"),
                        string.Create(CultureInfo.InvariantCulture, $"The \"{name}\" directive does not match an open directive."));
                    index++;
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>Decodes a template literal: backslash escapes (quoted strings only) and the "$${" / "%%{" escapes.</summary>
    private string Unescape(Token token, bool quoted)
    {
        var raw = TextOf(token);
        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if ((c == '$' || c == '%') && i + 2 < raw.Length && raw[i + 1] == c && raw[i + 2] == '{')
            {
                builder.Append(c).Append('{');
                i += 2;
                continue;
            }

            if (c != '\\' || !quoted)
            {
                builder.Append(c);
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                builder.Append(c);
                continue;
            }

            var selector = raw[i + 1];
            switch (selector)
            {
                case 'n':
                    builder.Append('\n');
                    i++;
                    continue;
                case 'r':
                    builder.Append('\r');
                    i++;
                    continue;
                case 't':
                    builder.Append('\t');
                    i++;
                    continue;
                case '"':
                    builder.Append('"');
                    i++;
                    continue;
                case '\\':
                    builder.Append('\\');
                    i++;
                    continue;
                case 'u' or 'U':
                {
                    var digits = selector == 'u' ? 4 : 8;
                    var hex = 0;
                    while (hex < digits && i + 2 + hex < raw.Length && char.IsAsciiHexDigit(raw[i + 2 + hex]))
                    {
                        hex++;
                    }

                    var startByte = token.Start + Encoding.UTF8.GetByteCount(raw.AsSpan(0, i));
                    if (hex < digits)
                    {
                        Error(RangeOf(startByte, startByte + 2 + hex), "Invalid escape sequence",
                            string.Create(CultureInfo.InvariantCulture, $"The \\{selector} escape sequence must be followed by {digits} hexadecimal digits."));
                        i += 1 + hex;
                        continue;
                    }

                    var codePoint = long.Parse(raw.AsSpan(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (codePoint is > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
                    {
                        // As hclsyntax: a surrogate or a code point past U+10FFFF has no UTF-8 encoding.
                        Error(RangeOf(startByte, startByte + 2 + digits), "Invalid escape sequence",
                            string.Create(CultureInfo.InvariantCulture, $"Cannot encode character U+{codePoint:x4} in UTF-8."));
                    }
                    else
                    {
                        builder.Append(char.ConvertFromUtf32((int)codePoint));
                    }

                    i += 1 + digits;
                    continue;
                }

                default:
                {
                    var startByte = token.Start + Encoding.UTF8.GetByteCount(raw.AsSpan(0, i));
                    Error(RangeOf(startByte, startByte + 2), "Invalid escape sequence",
                        string.Create(CultureInfo.InvariantCulture, $"The symbol \"{selector}\" is not a valid escape sequence selector."));
                    i++;
                    continue;
                }
            }
        }

        return builder.ToString();
    }
}
