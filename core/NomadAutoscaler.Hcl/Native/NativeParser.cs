using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Hcl.Native;

/// <summary>Recursive-descent parser for HCL native syntax, recovering after errors where it can.</summary>
internal sealed partial class NativeParser
{
    // Nesting beyond this is reported instead of recursing further, so hostile input cannot overflow the stack.
    private const int MaxNesting = 200;

    private readonly byte[] _src;
    private readonly SourceMap _map;
    private readonly HclDiagnostics _diagnostics;
    private readonly List<Token> _tokens;
    private readonly Stack<bool> _newlineModes = new();
    private int _index;
    private int _nesting;
    private bool _nestingReported;

    private NativeParser(byte[] src, SourceMap map, List<Token> tokens, HclDiagnostics diagnostics)
    {
        _src = src;
        _map = map;
        _tokens = tokens;
        _diagnostics = diagnostics;
        _newlineModes.Push(true);
    }

    public static HclFile ParseFile(byte[] src, string fileName)
    {
        var diagnostics = new HclDiagnostics();
        var map = new SourceMap(fileName, src);
        var tokens = Lexer.Scan(src, map, diagnostics);
        var parser = new NativeParser(src, map, tokens, diagnostics);
        var body = parser.ParseBody(topLevel: true, openRange: map.Range(0, 0));
        return new HclFile(fileName, body, diagnostics, isJson: false);
    }

    public static HclExpression ParseExpression(byte[] src, string fileName, HclDiagnostics diagnostics)
    {
        var map = new SourceMap(fileName, src);
        var tokens = Lexer.Scan(src, map, diagnostics);
        var parser = new NativeParser(src, map, tokens, diagnostics);
        parser._newlineModes.Push(false);
        var expression = parser.ParseExpressionChecked();
        if (parser.Peek().Type != TokenType.Eof && !diagnostics.HasErrors)
        {
            var extra = parser.Peek();
            diagnostics.AddError(parser.RangeOf(extra), "Extra characters after expression", "An expression was successfully parsed, but extra characters were found after it.");
        }

        return expression;
    }

    public static HclExpression ParseTemplate(byte[] src, string fileName, HclDiagnostics diagnostics)
    {
        var map = new SourceMap(fileName, src);
        var tokens = Lexer.Scan(src, map, diagnostics, startInTemplate: true);
        var parser = new NativeParser(src, map, tokens, diagnostics);
        var start = 0;
        var parts = parser.ParseTemplateParts(TokenType.Eof, heredoc: false);
        return parser.FinishTemplate(parts, map.Range(start, src.Length), flush: false);
    }

    // ---- token access ----

    private bool IncludeNewlines => _newlineModes.Peek();

    private Token Peek()
    {
        var i = _index;
        while (!IncludeNewlines && _tokens[i].Type == TokenType.Newline)
        {
            i++;
        }

        return _tokens[i];
    }

    private Token Read()
    {
        while (!IncludeNewlines && _tokens[_index].Type == TokenType.Newline)
        {
            _index++;
        }

        var token = _tokens[_index];
        if (token.Type != TokenType.Eof)
        {
            _index++;
        }

        return token;
    }

    private HclRange RangeOf(Token token) => _map.Range(token.Start, token.End);

    private HclRange RangeOf(int start, int end) => _map.Range(start, end);

    private string TextOf(Token token) => Encoding.UTF8.GetString(_src, token.Start, token.End - token.Start);

    private void Error(HclRange range, string summary, string detail) => _diagnostics.AddError(range, summary, detail);

    private bool Enter(Token at)
    {
        _nesting++;
        if (_nesting <= MaxNesting)
        {
            return true;
        }

        if (!_nestingReported)
        {
            _nestingReported = true;
            Error(RangeOf(at), "Nesting too deep", string.Create(CultureInfo.InvariantCulture, $"Expressions and blocks may be nested at most {MaxNesting} levels deep."));
        }

        return false;
    }

    private void Leave() => _nesting--;

    /// <summary>Skips to the end of the current line (respecting brackets), as hcl's recovery does.</summary>
    private void RecoverAfterBodyItem()
    {
        var depth = 0;
        _newlineModes.Push(true);
        try
        {
            while (true)
            {
                var token = Read();
                switch (token.Type)
                {
                    case TokenType.Eof:
                        return;
                    case TokenType.Newline when depth <= 0:
                        return;
                    case TokenType.OBrace or TokenType.OBrack or TokenType.OParen or TokenType.TemplateInterp or TokenType.TemplateControl or TokenType.OQuote or TokenType.OHeredoc:
                        depth++;
                        break;
                    case TokenType.CBrace or TokenType.CBrack or TokenType.CParen or TokenType.TemplateSeqEnd or TokenType.CQuote or TokenType.CHeredoc:
                        depth--;
                        if (depth < 0 && token.Type == TokenType.CBrace)
                        {
                            // Closing brace of the enclosing block: leave it for the caller.
                            _index--;
                            return;
                        }

                        break;
                }
            }
        }
        finally
        {
            _newlineModes.Pop();
        }
    }

    /// <summary>Skips to the matching closer of an already-consumed opener.</summary>
    private void RecoverTo(TokenType closer)
    {
        var opener = closer switch
        {
            TokenType.CBrace => TokenType.OBrace,
            TokenType.CBrack => TokenType.OBrack,
            TokenType.CParen => TokenType.OParen,
            _ => TokenType.Invalid,
        };
        var depth = 0;
        _newlineModes.Push(false);
        try
        {
            while (true)
            {
                var token = Read();
                if (token.Type == TokenType.Eof)
                {
                    return;
                }

                if (token.Type == opener)
                {
                    depth++;
                }
                else if (token.Type == closer)
                {
                    if (depth == 0)
                    {
                        return;
                    }

                    depth--;
                }
            }
        }
        finally
        {
            _newlineModes.Pop();
        }
    }
}
