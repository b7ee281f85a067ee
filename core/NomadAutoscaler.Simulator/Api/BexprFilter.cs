using System.Text;
using System.Text.RegularExpressions;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// The go-bexpr subset Nomad's list paginator accepts: <c>==</c>, <c>!=</c>, <c>in</c>, <c>not in</c>,
/// <c>contains</c>, <c>not contains</c>, <c>matches</c>, <c>not matches</c>, <c>is empty</c>, <c>is not empty</c>,
/// <c>is nil</c>, <c>is not nil</c>, <c>and</c>/<c>or</c>/<c>not</c>, parentheses; selectors as <c>A.B</c> or <c>Meta["k"]</c>.
/// Selectors are resolved against the full server object, modelled as nested dictionaries.
/// </summary>
internal sealed class BexprFilter
{
    private readonly Func<IReadOnlyDictionary<string, object?>, bool> _predicate;

    private BexprFilter(Func<IReadOnlyDictionary<string, object?>, bool> predicate) => _predicate = predicate;

    /// <summary>Parses an expression; the error text follows Nomad's paginator message.</summary>
    public static BexprFilter Parse(string expression)
    {
        try
        {
            var parser = new Parser(Tokenize(expression));
            var predicate = parser.ParseOr();
            if (!parser.AtEnd)
            {
                throw new FormatException($"unexpected token \"{parser.Peek}\"");
            }

            return new BexprFilter(predicate);
        }
        catch (FormatException ex)
        {
            throw new State.NomadError(400, $"failed to create result paginator: failed to read filter expression: {ex.Message}");
        }
    }

    public bool Matches(IReadOnlyDictionary<string, object?> item) => _predicate(item);

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '`')
            {
                var end = i + 1;
                var sb = new StringBuilder();
                while (end < text.Length && text[end] != c)
                {
                    if (c == '"' && text[end] == '\\' && end + 1 < text.Length)
                    {
                        end++;
                    }

                    sb.Append(text[end]);
                    end++;
                }

                if (end >= text.Length)
                {
                    throw new FormatException("unterminated string");
                }

                tokens.Add("\"" + sb);
                i = end + 1;
            }
            else if (c is '(' or ')' or '[' or ']' or '.')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c is '=' or '!')
            {
                if (i + 1 < text.Length && text[i + 1] == '=')
                {
                    tokens.Add(text.Substring(i, 2));
                    i += 2;
                }
                else
                {
                    throw new FormatException($"invalid operator at position {i + 1}");
                }
            }
            else
            {
                var end = i;
                while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '-' or '/'))
                {
                    end++;
                }

                if (end == i)
                {
                    throw new FormatException($"unexpected character '{c}' at position {i + 1}");
                }

                tokens.Add(text[i..end]);
                i = end;
            }
        }

        return tokens;
    }

    private sealed class Parser(List<string> tokens)
    {
        private int _position;

        public bool AtEnd => _position >= tokens.Count;

        public string Peek => AtEnd ? "" : tokens[_position];

        public Func<IReadOnlyDictionary<string, object?>, bool> ParseOr()
        {
            var left = ParseAnd();
            while (Accept("or"))
            {
                var l = left;
                var r = ParseAnd();
                left = item => l(item) || r(item);
            }

            return left;
        }

        private Func<IReadOnlyDictionary<string, object?>, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("and"))
            {
                var l = left;
                var r = ParseUnary();
                left = item => l(item) && r(item);
            }

            return left;
        }

        private Func<IReadOnlyDictionary<string, object?>, bool> ParseUnary()
        {
            if (Accept("not"))
            {
                var inner = ParseUnary();
                return item => !inner(item);
            }

            if (Accept("("))
            {
                var inner = ParseOr();
                Expect(")");
                return inner;
            }

            if (Peek.StartsWith('"'))
            {
                // "value" in Selector / "value" not in Selector
                var value = Next()[1..];
                var negate = Accept("not");
                Expect("in");
                var selector = ParseSelector();
                return item => Contains(Resolve(item, selector), value) != negate;
            }

            var sel = ParseSelector();
            if (Accept("=="))
            {
                var v = ParseValue();
                return item => Equal(Resolve(item, sel), v);
            }

            if (Accept("!="))
            {
                var v = ParseValue();
                return item => !Equal(Resolve(item, sel), v);
            }

            if (Accept("is"))
            {
                var negate = Accept("not");
                if (Accept("empty"))
                {
                    return item => IsEmpty(Resolve(item, sel)) != negate;
                }

                Expect("nil");
                return item => (Resolve(item, sel) is null) != negate;
            }

            var negated = Accept("not");
            if (Accept("contains"))
            {
                var v = ParseValue();
                return item => Contains(Resolve(item, sel), v) != negated;
            }

            if (Accept("matches"))
            {
                var pattern = new Regex(ParseValue(), RegexOptions.None, TimeSpan.FromSeconds(1));
                return item => (Resolve(item, sel) is string s && pattern.IsMatch(s)) != negated;
            }

            throw new FormatException($"expected an operator after selector, found \"{Peek}\"");
        }

        private List<string> ParseSelector()
        {
            var parts = new List<string> { NextIdentifier() };
            while (true)
            {
                if (Accept("."))
                {
                    parts.Add(NextIdentifier());
                }
                else if (Accept("["))
                {
                    var key = Next();
                    parts.Add(key.StartsWith('"') ? key[1..] : key);
                    Expect("]");
                }
                else
                {
                    return parts;
                }
            }
        }

        private string ParseValue()
        {
            var token = Next();
            return token.StartsWith('"') ? token[1..] : token;
        }

        private string NextIdentifier()
        {
            var token = Next();
            if (token.StartsWith('"') || token is "(" or ")" or "[" or "]" or ".")
            {
                throw new FormatException($"expected a selector, found \"{token.TrimStart('"')}\"");
            }

            return token;
        }

        private string Next() => AtEnd ? throw new FormatException("unexpected end of expression") : tokens[_position++];

        private bool Accept(string token)
        {
            if (!AtEnd && tokens[_position] == token)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw new FormatException($"expected \"{token}\", found \"{Peek}\"");
            }
        }
    }

    private static object? Resolve(IReadOnlyDictionary<string, object?> item, List<string> selector)
    {
        object? current = item;
        foreach (var part in selector)
        {
            if (current is IReadOnlyDictionary<string, object?> map)
            {
                current = map.TryGetValue(part, out var next) ? next : null;
            }
            else if (current is IReadOnlyDictionary<string, string> strings)
            {
                current = strings.TryGetValue(part, out var next) ? next : null;
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static bool Equal(object? value, string expected) => value switch
    {
        null => false,
        bool b => string.Equals(b ? "true" : "false", expected, StringComparison.Ordinal),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) == expected,
        _ => value.ToString() == expected,
    };

    private static bool Contains(object? collection, string value) => collection switch
    {
        string s => s.Contains(value, StringComparison.Ordinal),
        IReadOnlyDictionary<string, string> map => map.ContainsKey(value),
        IReadOnlyDictionary<string, object?> map => map.ContainsKey(value),
        IEnumerable<string> list => list.Contains(value),
        _ => false,
    };

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        IReadOnlyDictionary<string, string> map => map.Count == 0,
        IReadOnlyDictionary<string, object?> map => map.Count == 0,
        IEnumerable<string> list => !list.Any(),
        _ => throw new State.NomadError(400, "failed to read filter expression: is empty is not valid for this selector"),
    };
}
