using System.Globalization;

namespace NomadAutoscaler.Hcl.Native;

internal sealed partial class NativeParser
{
    private NativeBody ParseBody(bool topLevel, HclRange openRange)
    {
        var attributes = new List<HclAttribute>();
        var blocks = new List<HclBlock>();
        var seen = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        var startToken = Peek();
        while (true)
        {
            var token = Peek();
            switch (token.Type)
            {
                case TokenType.Newline:
                    Read();
                    continue;
                case TokenType.Eof:
                    if (!topLevel)
                    {
                        Error(openRange, "Unclosed configuration block",
                            "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.");
                    }

                    break;
                case TokenType.CBrace when !topLevel:
                    break;
                case TokenType.Ident:
                    ParseBodyItem(attributes, blocks, seen);
                    continue;
                default:
                    Error(RangeOf(token), "Argument or block definition required", "An argument or block definition is required here.");
                    Read();
                    RecoverAfterBodyItem();
                    continue;
            }

            var end = Peek();
            var range = topLevel ? RangeOf(0, _src.Length) : RangeOf(startToken.Start, end.End);
            return new NativeBody(attributes, blocks, range, topLevel ? RangeOf(0, 0) : openRange);
        }
    }

    private void ParseBodyItem(List<HclAttribute> attributes, List<HclBlock> blocks, Dictionary<string, HclAttribute> seen)
    {
        var identifier = Read();
        var name = TextOf(identifier);
        var next = Peek();
        if (next.Type == TokenType.Equal)
        {
            Read();
            var expression = ParseExpressionChecked();
            var attribute = new HclAttribute(name, expression, RangeOf(identifier).Through(expression.Range), RangeOf(identifier));
            var after = Peek();
            if (after.Type is not (TokenType.Newline or TokenType.Eof))
            {
                Error(RangeOf(after), "Missing newline after argument", "An argument definition must end with a newline.");
                RecoverAfterBodyItem();
            }
            else
            {
                Read();
            }

            if (seen.TryGetValue(name, out var previous))
            {
                Error(attribute.NameRange, "Attribute redefined",
                    string.Create(CultureInfo.InvariantCulture, $"The argument \"{name}\" was already set at {previous.NameRange}. Each argument may be set only once."));
                return;
            }

            seen[name] = attribute;
            attributes.Add(attribute);
            return;
        }

        if (next.Type is TokenType.OQuote or TokenType.Ident or TokenType.OBrace)
        {
            var block = ParseBlock(identifier, name);
            if (block is not null)
            {
                blocks.Add(block);
            }

            return;
        }

        Error(RangeOf(next), "Argument or block definition required",
            "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.");
        RecoverAfterBodyItem();
    }

    private HclBlock? ParseBlock(Token identifier, string type)
    {
        var labels = new List<string>();
        var labelRanges = new List<HclRange>();
        while (true)
        {
            var token = Peek();
            if (token.Type == TokenType.Ident)
            {
                Read();
                labels.Add(TextOf(token));
                labelRanges.Add(RangeOf(token));
                continue;
            }

            if (token.Type == TokenType.OQuote)
            {
                var (label, range, ok) = ParseQuotedLabel();
                if (!ok)
                {
                    RecoverAfterBodyItem();
                    return null;
                }

                labels.Add(label);
                labelRanges.Add(range);
                continue;
            }

            if (token.Type == TokenType.OBrace)
            {
                break;
            }

            Error(RangeOf(token), "Invalid block definition", "Either a quoted string block label or an opening brace (\"{\") is expected here.");
            RecoverAfterBodyItem();
            return null;
        }

        var open = Read();
        if (!Enter(open))
        {
            Leave();
            RecoverTo(TokenType.CBrace);
            RecoverAfterBodyItem();
            return null;
        }

        try
        {
            NativeBody body;
            var openRange = RangeOf(open);
            if (Peek().Type == TokenType.Newline)
            {
                body = ParseBody(topLevel: false, openRange);
                if (Peek().Type != TokenType.CBrace)
                {
                    // Unclosed block already reported by ParseBody.
                    return new HclBlock(type, labels, body, RangeOf(identifier), labelRanges, RangeOf(identifier).Through(body.Range));
                }
            }
            else
            {
                var single = ParseSingleLineBody(openRange);
                if (single is null)
                {
                    return null;
                }

                body = single;
            }

            var close = Read();
            var after = Peek();
            if (after.Type is not (TokenType.Newline or TokenType.Eof))
            {
                Error(RangeOf(after), "Missing newline after block definition", "A block definition must end with a newline.");
                RecoverAfterBodyItem();
            }
            else
            {
                Read();
            }

            return new HclBlock(type, labels, body, RangeOf(identifier), labelRanges, RangeOf(identifier.Start, close.End));
        }
        finally
        {
            Leave();
        }
    }

    private NativeBody? ParseSingleLineBody(HclRange openRange)
    {
        var attributes = new List<HclAttribute>();
        var first = Peek();
        if (first.Type == TokenType.CBrace)
        {
            return new NativeBody(attributes, [], RangeOf(openRange.Start.Byte, first.End), openRange);
        }

        if (first.Type != TokenType.Ident)
        {
            Error(RangeOf(first), "Argument or block definition required", "An argument or block definition is required here.");
            RecoverTo(TokenType.CBrace);
            RecoverAfterBodyItem();
            return null;
        }

        Read();
        if (Peek().Type != TokenType.Equal)
        {
            Error(RangeOf(first), "Invalid single-argument block definition",
                "A single-line block definition can contain only a single argument. If you meant to define argument \"" + TextOf(first)
                + "\", use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.");
            RecoverTo(TokenType.CBrace);
            RecoverAfterBodyItem();
            return null;
        }

        Read();
        var expression = ParseExpressionChecked();
        attributes.Add(new HclAttribute(TextOf(first), expression, RangeOf(first).Through(expression.Range), RangeOf(first)));
        var close = Peek();
        if (close.Type != TokenType.CBrace)
        {
            Error(RangeOf(close), "Invalid single-argument block definition",
                "A single-line block definition must end with a closing brace immediately after its single argument definition.");
            RecoverTo(TokenType.CBrace);
            RecoverAfterBodyItem();
            return null;
        }

        return new NativeBody(attributes, [], RangeOf(openRange.Start.Byte, close.End), openRange);
    }

    private (string Label, HclRange Range, bool Ok) ParseQuotedLabel()
    {
        var open = Read();
        var text = new System.Text.StringBuilder();
        var ok = true;
        while (true)
        {
            var token = Peek();
            if (token.Type == TokenType.QuotedLit)
            {
                Read();
                text.Append(Unescape(token, quoted: true));
                continue;
            }

            if (token.Type == TokenType.CQuote)
            {
                Read();
                return (text.ToString(), RangeOf(open.Start, token.End), ok);
            }

            if (token.Type is TokenType.TemplateInterp or TokenType.TemplateControl)
            {
                Error(RangeOf(token), "Invalid string literal",
                    "Template sequences are not allowed in this string. To include a literal \"$\", double it (as \"$$\") to escape it.");
                return ("", RangeOf(open), false);
            }

            Error(RangeOf(open), "Unterminated template string", "No closing marker was found for the string.");
            return ("", RangeOf(open), false);
        }
    }
}
