using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Hcl.Native;

/// <summary>
/// Turns UTF-8 source into tokens. Tracks nesting of quoted templates, heredocs and interpolations so that "}" and
/// template text are told apart. Invalid characters become Invalid tokens plus diagnostics (reported before parse errors,
/// as hclsyntax does).
/// </summary>
internal sealed class Lexer
{
    private readonly byte[] _src;
    private readonly SourceMap _map;
    private readonly HclDiagnostics _diagnostics;
    private readonly List<Token> _tokens = [];
    private readonly Stack<Mode> _modes = new();
    private int _pos;

    private Lexer(byte[] src, SourceMap map, HclDiagnostics diagnostics)
    {
        _src = src;
        _map = map;
        _diagnostics = diagnostics;
    }

    private enum ModeKind
    {
        Normal,
        Quoted,
        Heredoc,
    }

    public static List<Token> Scan(byte[] src, SourceMap map, HclDiagnostics diagnostics, bool startInTemplate = false)
    {
        var lexer = new Lexer(src, map, diagnostics);
        lexer.Run(startInTemplate);
        return lexer._tokens;
    }

    private void Run(bool startInTemplate)
    {
        _modes.Push(startInTemplate ? new Mode(ModeKind.Quoted, null, false, true) : new Mode(ModeKind.Normal, null, false, false));
        // A UTF-8 byte order mark at the very start is skipped, as hclsyntax does; some editors write one.
        if (!startInTemplate && _src.Length >= 3 && _src[0] == 0xEF && _src[1] == 0xBB && _src[2] == 0xBF) _pos = 3;
        while (_pos < _src.Length)
        {
            var mode = _modes.Peek();
            switch (mode.Kind)
            {
                case ModeKind.Normal:
                    ScanNormal(mode);
                    break;
                case ModeKind.Quoted:
                    ScanQuoted(mode);
                    break;
                default:
                    ScanHeredoc(mode);
                    break;
            }
        }

        _tokens.Add(new Token(TokenType.Eof, _src.Length, _src.Length));
    }

    private sealed class Mode(ModeKind kind, string? marker, bool flush, bool bareTemplate)
    {
        public ModeKind Kind { get; } = kind;

        public string? Marker { get; } = marker;

        public bool Flush { get; } = flush;

        public bool BareTemplate { get; } = bareTemplate;

        public int BraceDepth { get; set; }

        public bool InsideTemplate { get; set; }

        public bool AtLineStart { get; set; } = true;
    }

    private byte Peek(int offset = 0) => _pos + offset < _src.Length ? _src[_pos + offset] : (byte)0;

    private void Emit(TokenType type, int start, int end, bool strip = false) => _tokens.Add(new Token(type, start, end, strip));

    private void Error(int start, int end, string summary, string detail) =>
        _diagnostics.AddError(_map.Range(start, end), summary, detail);

    private void ScanNormal(Mode mode)
    {
        var c = _src[_pos];
        var start = _pos;
        switch (c)
        {
            case (byte)' ' or (byte)'\t':
                _pos++;
                return;
            case (byte)'\n':
                _pos++;
                Emit(TokenType.Newline, start, _pos);
                return;
            case (byte)'\r':
                if (Peek(1) == '\n')
                {
                    _pos += 2;
                    Emit(TokenType.Newline, start, _pos);
                    return;
                }

                break;
            case (byte)'#':
                SkipLineComment();
                return;
            case (byte)'/':
                if (Peek(1) == '/')
                {
                    SkipLineComment();
                    return;
                }

                if (Peek(1) == '*')
                {
                    SkipBlockComment();
                    return;
                }

                _pos++;
                Emit(TokenType.Slash, start, _pos);
                return;
            case (byte)'{':
                _pos++;
                mode.BraceDepth++;
                Emit(TokenType.OBrace, start, _pos);
                return;
            case (byte)'}':
                _pos++;
                if (mode.BraceDepth == 0 && mode.InsideTemplate)
                {
                    _modes.Pop();
                    Emit(TokenType.TemplateSeqEnd, start, _pos);
                    return;
                }

                mode.BraceDepth = Math.Max(0, mode.BraceDepth - 1);
                Emit(TokenType.CBrace, start, _pos);
                return;
            case (byte)'~':
                if (Peek(1) == '}' && mode.BraceDepth == 0 && mode.InsideTemplate)
                {
                    _pos += 2;
                    _modes.Pop();
                    Emit(TokenType.TemplateSeqEnd, start, _pos, strip: true);
                    return;
                }

                break;
            case (byte)'[':
                _pos++;
                Emit(TokenType.OBrack, start, _pos);
                return;
            case (byte)']':
                _pos++;
                Emit(TokenType.CBrack, start, _pos);
                return;
            case (byte)'(':
                _pos++;
                Emit(TokenType.OParen, start, _pos);
                return;
            case (byte)')':
                _pos++;
                Emit(TokenType.CParen, start, _pos);
                return;
            case (byte)'"':
                _pos++;
                Emit(TokenType.OQuote, start, _pos);
                _modes.Push(new Mode(ModeKind.Quoted, null, false, false));
                return;
            case (byte)'*':
                _pos++;
                Emit(TokenType.Star, start, _pos);
                return;
            case (byte)'+':
                _pos++;
                Emit(TokenType.Plus, start, _pos);
                return;
            case (byte)'-':
                _pos++;
                Emit(TokenType.Minus, start, _pos);
                return;
            case (byte)'%':
                _pos++;
                Emit(TokenType.Percent, start, _pos);
                return;
            case (byte)'=':
                if (Peek(1) == '=')
                {
                    _pos += 2;
                    Emit(TokenType.EqualOp, start, _pos);
                }
                else if (Peek(1) == '>')
                {
                    _pos += 2;
                    Emit(TokenType.FatArrow, start, _pos);
                }
                else
                {
                    _pos++;
                    Emit(TokenType.Equal, start, _pos);
                }

                return;
            case (byte)'!':
                if (Peek(1) == '=')
                {
                    _pos += 2;
                    Emit(TokenType.NotEqual, start, _pos);
                }
                else
                {
                    _pos++;
                    Emit(TokenType.Bang, start, _pos);
                }

                return;
            case (byte)'<':
                if (Peek(1) == '<' && TryScanHeredocStart())
                {
                    return;
                }

                if (Peek(1) == '=')
                {
                    _pos += 2;
                    Emit(TokenType.LessThanEq, start, _pos);
                }
                else
                {
                    _pos++;
                    Emit(TokenType.LessThan, start, _pos);
                }

                return;
            case (byte)'>':
                if (Peek(1) == '=')
                {
                    _pos += 2;
                    Emit(TokenType.GreaterThanEq, start, _pos);
                }
                else
                {
                    _pos++;
                    Emit(TokenType.GreaterThan, start, _pos);
                }

                return;
            case (byte)'&':
                if (Peek(1) == '&')
                {
                    _pos += 2;
                    Emit(TokenType.And, start, _pos);
                    return;
                }

                _pos++;
                Error(start, _pos, "Unsupported operator", "Bitwise operators are not supported.");
                Emit(TokenType.Invalid, start, _pos);
                return;
            case (byte)'|':
                if (Peek(1) == '|')
                {
                    _pos += 2;
                    Emit(TokenType.Or, start, _pos);
                    return;
                }

                _pos++;
                Error(start, _pos, "Unsupported operator", "Bitwise operators are not supported.");
                Emit(TokenType.Invalid, start, _pos);
                return;
            case (byte)'^':
                _pos++;
                Error(start, _pos, "Unsupported operator", "Bitwise operators are not supported.");
                Emit(TokenType.Invalid, start, _pos);
                return;
            case (byte)'.':
                if (Peek(1) == '.' && Peek(2) == '.')
                {
                    _pos += 3;
                    Emit(TokenType.Ellipsis, start, _pos);
                }
                else
                {
                    _pos++;
                    Emit(TokenType.Dot, start, _pos);
                }

                return;
            case (byte)',':
                _pos++;
                Emit(TokenType.Comma, start, _pos);
                return;
            case (byte)'?':
                _pos++;
                Emit(TokenType.Question, start, _pos);
                return;
            case (byte)':':
                _pos++;
                Emit(TokenType.Colon, start, _pos);
                return;
            case (byte)';':
                _pos++;
                Error(start, _pos, "Invalid character",
                    "The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.");
                Emit(TokenType.Invalid, start, _pos);
                return;
            case (byte)'\'':
                _pos++;
                Error(start, _pos, "Invalid character", "Single quotes are not valid. Use double quotes (\") to enclose strings.");
                Emit(TokenType.Invalid, start, _pos);
                return;
            case (byte)'`':
                _pos++;
                Error(start, _pos, "Invalid character", "The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".");
                Emit(TokenType.Invalid, start, _pos);
                return;
        }

        if (char.IsAsciiDigit((char)c))
        {
            ScanNumber();
            return;
        }

        if (TryScanIdentifier())
        {
            return;
        }

        var length = RuneLengthAt(_pos);
        if (length < 0)
        {
            _pos++;
            Error(start, _pos, "Invalid character encoding", "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.");
        }
        else
        {
            _pos += length;
            Error(start, _pos, "Invalid character", "This character is not used within the language.");
        }

        Emit(TokenType.Invalid, start, _pos);
    }

    private void SkipLineComment()
    {
        var start = _pos;
        while (_pos < _src.Length && _src[_pos] != '\n')
        {
            _pos++;
        }

        // A line comment ends its line, so it acts as the newline that terminates an argument or block.
        if (_pos < _src.Length)
        {
            _pos++;
            Emit(TokenType.Newline, _pos - 1, _pos);
        }
        else if (_pos > start)
        {
            Emit(TokenType.Newline, _pos, _pos);
        }
    }

    private void SkipBlockComment()
    {
        var start = _pos;
        _pos += 2;
        while (_pos < _src.Length && !(_src[_pos] == '*' && Peek(1) == '/'))
        {
            _pos++;
        }

        if (_pos >= _src.Length)
        {
            Error(start, start + 2, "Unterminated comment", "There is no closing marker for this comment.");
            Emit(TokenType.Invalid, start, start + 2);
            return;
        }

        _pos += 2;
    }

    private void ScanNumber()
    {
        var start = _pos;
        while (char.IsAsciiDigit((char)Peek()))
        {
            _pos++;
        }

        if (Peek() == '.' && char.IsAsciiDigit((char)Peek(1)))
        {
            _pos++;
            while (char.IsAsciiDigit((char)Peek()))
            {
                _pos++;
            }
        }

        if (Peek() is (byte)'e' or (byte)'E')
        {
            var save = _pos;
            _pos++;
            if (Peek() is (byte)'+' or (byte)'-')
            {
                _pos++;
            }

            if (char.IsAsciiDigit((char)Peek()))
            {
                while (char.IsAsciiDigit((char)Peek()))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        Emit(TokenType.NumberLit, start, _pos);
    }

    private bool TryScanIdentifier()
    {
        var start = _pos;
        var first = true;
        while (_pos < _src.Length)
        {
            var length = RuneLengthAt(_pos);
            if (length < 0)
            {
                break;
            }

            var rune = DecodeRune(_pos, length);
            var ok = first ? IsIdStart(rune) : IsIdContinue(rune) || rune.Value == '-';
            if (!ok)
            {
                break;
            }

            first = false;
            _pos += length;
        }

        if (_pos == start)
        {
            return false;
        }

        Emit(TokenType.Ident, start, _pos);
        return true;
    }

    internal static bool IsIdStart(Rune rune)
    {
        if (rune.Value < 0x80)
        {
            return char.IsAsciiLetter((char)rune.Value) || rune.Value == '_';
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.LetterNumber;
    }

    internal static bool IsIdContinue(Rune rune)
    {
        if (rune.Value < 0x80)
        {
            return char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value == '_';
        }

        return IsIdStart(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;
    }

    private int RuneLengthAt(int pos) =>
        Rune.DecodeFromUtf8(_src.AsSpan(pos), out _, out var consumed) == System.Buffers.OperationStatus.Done ? consumed : -1;

    private Rune DecodeRune(int pos, int length)
    {
        Rune.DecodeFromUtf8(_src.AsSpan(pos, length), out var rune, out _);
        return rune;
    }

    private bool TryScanHeredocStart()
    {
        // <<EOT or <<-EOT followed by a newline.
        var p = _pos + 2;
        var flush = false;
        if (p < _src.Length && _src[p] == '-')
        {
            flush = true;
            p++;
        }

        var markerStart = p;
        var save = _pos;
        _pos = p;
        var countBefore = _tokens.Count;
        if (!TryScanIdentifier())
        {
            _pos = save;
            return false;
        }

        _tokens.RemoveAt(_tokens.Count - 1);
        var marker = Encoding.UTF8.GetString(_src, markerStart, _pos - markerStart);
        if (Peek() == '\n')
        {
            _pos++;
        }
        else if (Peek() == '\r' && Peek(1) == '\n')
        {
            _pos += 2;
        }
        else
        {
            _pos = save;
            _ = countBefore;
            return false;
        }

        Emit(TokenType.OHeredoc, save, _pos);
        _modes.Push(new Mode(ModeKind.Heredoc, marker, flush, false));
        return true;
    }

    private void ScanQuoted(Mode mode)
    {
        var start = _pos;
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            if (c == '"' && !mode.BareTemplate)
            {
                FlushLiteral(TokenType.QuotedLit, start);
                Emit(TokenType.CQuote, _pos, _pos + 1);
                _pos++;
                _modes.Pop();
                return;
            }

            if (c == '\\' && !mode.BareTemplate)
            {
                _pos = Math.Min(_pos + 2, _src.Length);
                continue;
            }

            if (c == '\n' && !mode.BareTemplate)
            {
                FlushLiteral(TokenType.QuotedLit, start);
                Error(_pos, _pos + 1, "Invalid multi-line string",
                    "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.");
                Emit(TokenType.Invalid, _pos, _pos + 1);
                _pos++;

                // Recover as hcl does: the string ends at the line break.
                _modes.Pop();
                Emit(TokenType.Newline, _pos - 1, _pos);
                return;
            }

            if (_src[_pos] >= 0x80 && CheckUtf8InLiteral(ref start, TokenType.QuotedLit))
            {
                continue;
            }

            if (TryTemplateOpener(start, TokenType.QuotedLit))
            {
                return;
            }

            _pos++;
        }

        FlushLiteral(TokenType.QuotedLit, start);
    }

    private bool TryTemplateOpener(int literalStart, TokenType literalType)
    {
        var c = _src[_pos];
        if ((c == '$' || c == '%') && Peek(1) == c && Peek(2) == '{')
        {
            // "$${" and "%%{" are escapes for a literal "${" / "%{"; the caller steps over the final "{".
            _pos += 2;
            return false;
        }

        if ((c == '$' || c == '%') && Peek(1) == '{')
        {
            FlushLiteral(literalType, literalStart);
            var start = _pos;
            _pos += 2;
            var strip = false;
            if (Peek() == '~')
            {
                strip = true;
                _pos++;
            }

            Emit(c == '$' ? TokenType.TemplateInterp : TokenType.TemplateControl, start, _pos, strip);
            _modes.Push(new Mode(ModeKind.Normal, null, false, false) { InsideTemplate = true });
            return true;
        }

        return false;
    }

    /// <summary>Steps over one non-ASCII character of template text; invalid UTF-8 becomes an error token.</summary>
    private bool CheckUtf8InLiteral(ref int start, TokenType literalType)
    {
        var length = RuneLengthAt(_pos);
        if (length > 0)
        {
            _pos += length;
            return true;
        }

        FlushLiteral(literalType, start);
        Error(_pos, _pos + 1, "Invalid character encoding", "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.");
        Emit(TokenType.Invalid, _pos, _pos + 1);
        _pos++;
        start = _pos;
        return true;
    }

    private void FlushLiteral(TokenType type, int start)
    {
        if (_pos > start)
        {
            Emit(type, start, _pos);
        }
    }

    private void ScanHeredoc(Mode mode)
    {
        if (mode.AtLineStart && TryHeredocEnd(mode))
        {
            return;
        }

        var start = _pos;
        mode.AtLineStart = false;
        while (_pos < _src.Length)
        {
            if (_src[_pos] == '\n')
            {
                _pos++;
                Emit(TokenType.StringLit, start, _pos);
                mode.AtLineStart = true;
                return;
            }

            if (_src[_pos] >= 0x80 && CheckUtf8InLiteral(ref start, TokenType.StringLit))
            {
                continue;
            }

            if (TryTemplateOpener(start, TokenType.StringLit))
            {
                return;
            }

            _pos++;
        }

        FlushLiteral(TokenType.StringLit, start);
    }

    private bool TryHeredocEnd(Mode mode)
    {
        var p = _pos;
        while (p < _src.Length && (_src[p] == ' ' || _src[p] == '\t'))
        {
            p++;
        }

        var marker = Encoding.UTF8.GetBytes(mode.Marker!);
        if (!_src.AsSpan(p).StartsWith(marker))
        {
            return false;
        }

        var end = p + marker.Length;
        // hclsyntax allows spaces and tabs after the marker too, but still wants the line's newline.
        var after = end;
        while (after < _src.Length && (_src[after] == ' ' || _src[after] == '\t'))
        {
            after++;
        }

        if (after >= _src.Length || !(_src[after] == '\n' || (_src[after] == '\r' && after + 1 < _src.Length && _src[after + 1] == '\n')))
        {
            return false;
        }

        Emit(TokenType.CHeredoc, _pos, end);
        _pos = after;
        _modes.Pop();
        return true;
    }
}
