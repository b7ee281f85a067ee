using System.Globalization;
using System.Text;
using NomadAutoscaler.Hcl.Native;

namespace NomadAutoscaler.Hcl.Json;

/// <summary>A parsed JSON value with its source range.</summary>
internal abstract record JsonNode(HclRange Range);

internal sealed record JsonProperty(string Name, HclRange NameRange, JsonNode Value);

internal sealed record JsonObjectNode(List<JsonProperty> Properties, HclRange Range, HclRange OpenRange) : JsonNode(Range);

internal sealed record JsonArrayNode(List<JsonNode> Items, HclRange Range) : JsonNode(Range);

internal sealed record JsonStringNode(string Value, HclRange Range) : JsonNode(Range);

internal sealed record JsonNumberNode(string Text, HclRange Range) : JsonNode(Range);

internal sealed record JsonLiteralNode(HclValue Value, HclRange Range) : JsonNode(Range);

/// <summary>A strict JSON parser producing ranged nodes, with hcl's JSON-syntax error wording where it matters.</summary>
internal sealed class JsonParser
{
    private const int MaxNesting = 200;

    private readonly byte[] _src;
    private readonly SourceMap _map;
    private readonly HclDiagnostics _diagnostics;
    private int _pos;
    private int _depth;

    private JsonParser(byte[] src, SourceMap map, HclDiagnostics diagnostics)
    {
        _src = src;
        _map = map;
        _diagnostics = diagnostics;
    }

    public static HclFile ParseFile(byte[] src, string fileName)
    {
        var diagnostics = new HclDiagnostics();
        var map = new SourceMap(fileName, src);
        var parser = new JsonParser(src, map, diagnostics);
        var root = parser.ParseDocument();
        HclBody body;
        if (root is JsonObjectNode obj)
        {
            body = new JsonBody([obj], map.Range(0, src.Length));
        }
        else if (root is JsonArrayNode array && array.Items.All(i => i is JsonObjectNode))
        {
            body = new JsonBody(array.Items.Cast<JsonObjectNode>().ToList(), map.Range(0, src.Length), rootIsArray: true);
        }
        else
        {
            if (root is not null)
            {
                diagnostics.AddError(root.Range, "Root value must be object",
                    "The root value in a JSON-based configuration must be either a JSON object or a JSON array of objects.");
            }

            body = new JsonBody([], map.Range(0, src.Length));
        }

        return new HclFile(fileName, body, diagnostics, isJson: true);
    }

    /// <summary>jsondecode: parses JSON text into a value; errors become a function error.</summary>
    public static HclValue DecodeValue(string text)
    {
        var diagnostics = new HclDiagnostics();
        var bytes = Encoding.UTF8.GetBytes(text);
        var parser = new JsonParser(bytes, new SourceMap("<jsondecode>", bytes), diagnostics);
        var node = parser.ParseDocument();
        if (diagnostics.HasErrors || node is null)
        {
            throw new HclFunctionException(0, diagnostics.Count > 0 ? diagnostics[0].Summary : "invalid JSON");
        }

        return JsonExpression.Literal(node);
    }

    private JsonNode? ParseDocument()
    {
        SkipWhitespace();
        if (_pos >= _src.Length)
        {
            Error(_pos, _pos, "Empty JSON value", "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.");
            return null;
        }

        var node = ParseValue();
        if (node is null)
        {
            return null;
        }

        SkipWhitespace();
        if (_pos < _src.Length)
        {
            Error(_pos, _pos + 1, "Extraneous data after value", "Extra characters appear after the JSON value.");
        }

        return node;
    }

    private void Error(int start, int end, string summary, string detail) =>
        _diagnostics.AddError(_map.Range(start, Math.Min(end, _src.Length)), summary, detail);

    private void SkipWhitespace()
    {
        while (_pos < _src.Length && _src[_pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            _pos++;
        }
    }

    private JsonNode? ParseValue()
    {
        SkipWhitespace();
        if (_pos >= _src.Length)
        {
            Error(_pos, _pos, "Missing JSON value", "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.");
            return null;
        }

        var c = _src[_pos];
        switch (c)
        {
            case (byte)'{':
                return Nested(ParseObject);
            case (byte)'[':
                return Nested(ParseArray);
            case (byte)'"':
                var start = _pos;
                var text = ParseString();
                return text is null ? null : new JsonStringNode(text, _map.Range(start, _pos));
        }

        if (c == '-' || char.IsAsciiDigit((char)c))
        {
            return ParseNumber();
        }

        if (char.IsAsciiLetter((char)c))
        {
            var start = _pos;
            while (_pos < _src.Length && char.IsAsciiLetterOrDigit((char)_src[_pos]))
            {
                _pos++;
            }

            var word = Encoding.UTF8.GetString(_src, start, _pos - start);
            var range = _map.Range(start, _pos);
            switch (word)
            {
                case "true":
                    return new JsonLiteralNode(HclValue.True, range);
                case "false":
                    return new JsonLiteralNode(HclValue.False, range);
                case "null":
                    return new JsonLiteralNode(HclValue.Null, range);
                default:
                    Error(start, _pos, "Invalid JSON keyword",
                        string.Create(CultureInfo.InvariantCulture, $"The keyword \"{word}\" is not valid. Valid keywords are: true, false, and null."));
                    return null;
            }
        }

        Error(_pos, _pos + 1, "Syntax error", "Expected the start of a JSON value.");
        return null;
    }

    private JsonNode? Nested(Func<JsonNode?> parse)
    {
        if (++_depth > MaxNesting)
        {
            Error(_pos, _pos + 1, "Nesting too deep", "JSON values may be nested at most 200 levels deep.");
            _pos = _src.Length;
            _depth--;
            return null;
        }

        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private JsonNode? ParseObject()
    {
        var open = _pos++;
        var properties = new List<JsonProperty>();
        SkipWhitespace();
        if (_pos < _src.Length && _src[_pos] == '}')
        {
            _pos++;
            return new JsonObjectNode(properties, _map.Range(open, _pos), _map.Range(open, open + 1));
        }

        while (true)
        {
            SkipWhitespace();
            if (_pos >= _src.Length || _src[_pos] != '"')
            {
                Error(_pos, _pos + 1, "Invalid JSON object property name", "A JSON object property name must be a string.");
                return null;
            }

            var nameStart = _pos;
            var name = ParseString();
            if (name is null)
            {
                return null;
            }

            var nameRange = _map.Range(nameStart, _pos);
            SkipWhitespace();
            if (_pos >= _src.Length || _src[_pos] != ':')
            {
                Error(_pos, _pos + 1, "Missing property value colon", "JSON uses a colon as its name/value delimiter, not an equals sign.");
                return null;
            }

            _pos++;
            var value = ParseValue();
            if (value is null)
            {
                return null;
            }

            properties.Add(new JsonProperty(name, nameRange, value));
            SkipWhitespace();
            if (_pos < _src.Length && _src[_pos] == ',')
            {
                _pos++;
                SkipWhitespace();
                if (_pos < _src.Length && _src[_pos] == '}')
                {
                    Error(_pos - 1, _pos, "Trailing comma in object", "JSON does not permit a trailing comma after the final property in an object.");
                    return null;
                }

                continue;
            }

            if (_pos < _src.Length && _src[_pos] == '}')
            {
                _pos++;
                return new JsonObjectNode(properties, _map.Range(open, _pos), _map.Range(open, open + 1));
            }

            Error(_pos, _pos + 1, "Missing attribute seperator comma", "A comma must appear between each property definition in an object.");
            return null;
        }
    }

    private JsonNode? ParseArray()
    {
        var open = _pos++;
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (_pos < _src.Length && _src[_pos] == ']')
        {
            _pos++;
            return new JsonArrayNode(items, _map.Range(open, _pos));
        }

        while (true)
        {
            var value = ParseValue();
            if (value is null)
            {
                return null;
            }

            items.Add(value);
            SkipWhitespace();
            if (_pos < _src.Length && _src[_pos] == ',')
            {
                _pos++;
                SkipWhitespace();
                if (_pos < _src.Length && _src[_pos] == ']')
                {
                    Error(_pos - 1, _pos, "Trailing comma in array", "JSON does not permit a trailing comma after the final value in an array.");
                    return null;
                }

                continue;
            }

            if (_pos < _src.Length && _src[_pos] == ']')
            {
                _pos++;
                return new JsonArrayNode(items, _map.Range(open, _pos));
            }

            Error(_pos, _pos + 1, "Missing array element separator", "A comma must appear between each value in an array.");
            return null;
        }
    }

    private JsonNumberNode? ParseNumber()
    {
        var start = _pos;
        if (_src[_pos] == '-')
        {
            _pos++;
        }

        var digitsStart = _pos;
        while (_pos < _src.Length && char.IsAsciiDigit((char)_src[_pos]))
        {
            _pos++;
        }

        var valid = _pos > digitsStart && !(_src[digitsStart] == '0' && _pos - digitsStart > 1);
        if (_pos < _src.Length && _src[_pos] == '.')
        {
            _pos++;
            var fractionStart = _pos;
            while (_pos < _src.Length && char.IsAsciiDigit((char)_src[_pos]))
            {
                _pos++;
            }

            valid &= _pos > fractionStart;
        }

        if (_pos < _src.Length && _src[_pos] is (byte)'e' or (byte)'E')
        {
            _pos++;
            if (_pos < _src.Length && _src[_pos] is (byte)'+' or (byte)'-')
            {
                _pos++;
            }

            var exponentStart = _pos;
            while (_pos < _src.Length && char.IsAsciiDigit((char)_src[_pos]))
            {
                _pos++;
            }

            valid &= _pos > exponentStart;
        }

        var text = Encoding.UTF8.GetString(_src, start, _pos - start);
        if (!valid || HclValue.ParseNumber(text) is null)
        {
            Error(start, _pos, "Invalid JSON number", string.Create(CultureInfo.InvariantCulture, $"There is a syntax error in the given JSON number."));
            return null;
        }

        return new JsonNumberNode(text, _map.Range(start, _pos));
    }

    private string? ParseString()
    {
        var start = _pos++;
        var builder = new StringBuilder();
        var chunkStart = _pos;
        while (true)
        {
            if (_pos >= _src.Length)
            {
                Error(start, _pos, "Unterminated string", "The string is not closed before the end of the file.");
                return null;
            }

            var c = _src[_pos];
            if (c == '"')
            {
                builder.Append(Encoding.UTF8.GetString(_src, chunkStart, _pos - chunkStart));
                _pos++;
                return builder.ToString();
            }

            if (c < 0x20)
            {
                Error(_pos, _pos + 1, "Invalid character in string", "Control characters must be escaped in JSON strings.");
                return null;
            }

            if (c != '\\')
            {
                _pos++;
                continue;
            }

            builder.Append(Encoding.UTF8.GetString(_src, chunkStart, _pos - chunkStart));
            if (_pos + 1 >= _src.Length)
            {
                Error(start, _pos, "Unterminated string", "The string is not closed before the end of the file.");
                return null;
            }

            var selector = (char)_src[_pos + 1];
            _pos += 2;
            switch (selector)
            {
                case '"' or '\\' or '/':
                    builder.Append(selector);
                    break;
                case 'b':
                    builder.Append('\b');
                    break;
                case 'f':
                    builder.Append('\f');
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                case 't':
                    builder.Append('\t');
                    break;
                case 'u':
                    if (_pos + 4 > _src.Length || !int.TryParse(Encoding.ASCII.GetString(_src, _pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    {
                        Error(_pos - 2, _pos, "Invalid escape sequence", "A \\u escape must be followed by four hexadecimal digits.");
                        return null;
                    }

                    _pos += 4;
                    builder.Append((char)code);
                    break;
                default:
                    Error(_pos - 2, _pos, "Invalid escape sequence", string.Create(CultureInfo.InvariantCulture, $"\"\\{selector}\" is not a valid escape sequence."));
                    return null;
            }

            chunkStart = _pos;
        }
    }
}
