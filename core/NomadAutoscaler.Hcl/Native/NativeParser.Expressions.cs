namespace NomadAutoscaler.Hcl.Native;

internal sealed partial class NativeParser
{
    private static readonly Dictionary<TokenType, BinaryOperator>[] BinaryLevels =
    [
        new() { [TokenType.Or] = BinaryOperator.Or },
        new() { [TokenType.And] = BinaryOperator.And },
        new() { [TokenType.EqualOp] = BinaryOperator.Equal, [TokenType.NotEqual] = BinaryOperator.NotEqual },
        new()
        {
            [TokenType.GreaterThan] = BinaryOperator.GreaterThan,
            [TokenType.GreaterThanEq] = BinaryOperator.GreaterThanOrEqual,
            [TokenType.LessThan] = BinaryOperator.LessThan,
            [TokenType.LessThanEq] = BinaryOperator.LessThanOrEqual,
        },
        new() { [TokenType.Plus] = BinaryOperator.Add, [TokenType.Minus] = BinaryOperator.Subtract },
        new() { [TokenType.Star] = BinaryOperator.Multiply, [TokenType.Slash] = BinaryOperator.Divide, [TokenType.Percent] = BinaryOperator.Modulo },
    ];

    private HclExpression ParseExpressionChecked()
    {
        var at = Peek();
        if (!Enter(at))
        {
            Leave();
            SkipExpressionTokens();
            return new LiteralExpr(HclValue.Null, RangeOf(at));
        }

        try
        {
            return ParseConditional();
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>After the nesting limit: discard tokens up to the end of the line so parsing can finish quickly.</summary>
    private void SkipExpressionTokens()
    {
        while (true)
        {
            var token = _tokens[_index];
            if (token.Type is TokenType.Eof)
            {
                return;
            }

            if (token.Type == TokenType.Newline && _nesting <= 0)
            {
                return;
            }

            _index++;
        }
    }

    private HclExpression ParseConditional()
    {
        var condition = ParseBinary(0);
        if (Peek().Type != TokenType.Question)
        {
            return condition;
        }

        Read();
        var whenTrue = ParseExpressionChecked();
        var colon = Peek();
        if (colon.Type != TokenType.Colon)
        {
            Error(RangeOf(colon), "Missing false expression in conditional",
                "The conditional operator (...?...:...) requires a false expression, delimited by a colon.");
            return condition;
        }

        Read();
        var whenFalse = ParseExpressionChecked();
        return new ConditionalExpr(condition, whenTrue, whenFalse, condition.Range.Through(whenFalse.Range));
    }

    private HclExpression ParseBinary(int level)
    {
        if (level == BinaryLevels.Length)
        {
            return ParseUnary();
        }

        var left = ParseBinary(level + 1);
        while (BinaryLevels[level].TryGetValue(Peek().Type, out var op))
        {
            Read();
            var right = ParseBinary(level + 1);
            left = new BinaryExpr(op, left, right, left.Range.Through(right.Range));
        }

        return left;
    }

    private HclExpression ParseUnary()
    {
        var token = Peek();
        if (token.Type is not (TokenType.Minus or TokenType.Bang))
        {
            return ParseTraversals();
        }

        Read();
        if (!Enter(token))
        {
            Leave();
            SkipExpressionTokens();
            return new LiteralExpr(HclValue.Null, RangeOf(token));
        }

        try
        {
            var operand = ParseUnary();
            var op = token.Type == TokenType.Minus ? UnaryOperator.Negate : UnaryOperator.Not;
            return new UnaryExpr(op, operand, RangeOf(token).Through(operand.Range), RangeOf(token));
        }
        finally
        {
            Leave();
        }
    }

    private HclExpression ParseTraversals()
    {
        var expression = ParseTerm();
        while (true)
        {
            var token = Peek();
            if (token.Type == TokenType.Dot)
            {
                var afterDot = _tokens[NextIndex(_index, 1)];
                if (afterDot.Type == TokenType.Star)
                {
                    Read();
                    Read();
                    var item = new SplatItemExpr(RangeOf(afterDot));
                    var each = ParseSplatTraversals(item, attributeOnly: true);
                    expression = new SplatExpr(expression, each, item, expression.Range.Through(each == item ? RangeOf(afterDot) : each.Range));
                    continue;
                }

                if (!TryParseDotStep(ref expression))
                {
                    return expression;
                }

                continue;
            }

            if (token.Type == TokenType.OBrack)
            {
                var afterBracket = _tokens[NextIndex(_index, 1, skipNewlines: true)];
                var closeAfterStar = _tokens[NextIndex(_index, 2, skipNewlines: true)];
                if (afterBracket.Type == TokenType.Star && closeAfterStar.Type == TokenType.CBrack)
                {
                    _newlineModes.Push(false);
                    Read();
                    Read();
                    var close = Read();
                    _newlineModes.Pop();
                    var item = new SplatItemExpr(RangeOf(token.Start, close.End));
                    var each = ParseSplatTraversals(item, attributeOnly: false);
                    expression = new SplatExpr(expression, each, item, expression.Range.Through(each == item ? RangeOf(close) : each.Range));
                    continue;
                }

                expression = ParseIndexStep(expression);
                continue;
            }

            return expression;
        }
    }

    private int NextIndex(int from, int count, bool skipNewlines = false)
    {
        var i = from;
        var skip = skipNewlines || !IncludeNewlines;
        while (skip && _tokens[i].Type == TokenType.Newline)
        {
            i++;
        }

        for (var n = 0; n < count && _tokens[i].Type != TokenType.Eof; n++)
        {
            i++;
            while (skip && _tokens[i].Type == TokenType.Newline)
            {
                i++;
            }
        }

        return i;
    }

    private HclExpression ParseSplatTraversals(HclExpression item, bool attributeOnly)
    {
        var each = item;
        while (true)
        {
            var token = Peek();
            if (token.Type == TokenType.Dot)
            {
                if (_tokens[NextIndex(_index, 1)].Type == TokenType.Star)
                {
                    return each;
                }

                if (!TryParseDotStep(ref each))
                {
                    return each;
                }

                continue;
            }

            if (token.Type == TokenType.OBrack && !attributeOnly)
            {
                if (_tokens[NextIndex(_index, 1, skipNewlines: true)].Type == TokenType.Star)
                {
                    return each;
                }

                each = ParseIndexStep(each);
                continue;
            }

            return each;
        }
    }

    private bool TryParseDotStep(ref HclExpression expression)
    {
        Read();
        var name = Peek();
        if (name.Type == TokenType.Ident)
        {
            Read();
            expression = new GetAttrExpr(expression, TextOf(name), expression.Range.Through(RangeOf(name)), RangeOf(name));
            return true;
        }

        if (name.Type == TokenType.NumberLit)
        {
            Read();
            var text = TextOf(name);
            if (text.Contains('e', StringComparison.OrdinalIgnoreCase) || text.Contains('.', StringComparison.Ordinal))
            {
                Error(RangeOf(name), "Invalid legacy index syntax",
                    "When using the legacy index syntax, chaining two numeric indices together is not permitted. Use the index syntax instead, like [1][0].");
                return false;
            }

            // "a.0.1" scans as a.(0.1); split it back into two legacy indices.
            var offset = name.Start;
            foreach (var piece in text.Split('.'))
            {
                var range = RangeOf(offset, offset + piece.Length);
                HclValue key = HclValue.ParseNumber(piece) ?? HclValue.Null;
                expression = new IndexExpr(expression, new LiteralExpr(key, range), expression.Range.Through(range), range);
                offset += piece.Length + 1;
            }

            return true;
        }

        Error(RangeOf(name), "Invalid attribute name", "An attribute name is required after a dot.");
        return false;
    }

    private HclExpression ParseIndexStep(HclExpression expression)
    {
        var open = Read();
        _newlineModes.Push(false);
        try
        {
            var key = ParseExpressionChecked();
            var close = Peek();
            if (close.Type != TokenType.CBrack)
            {
                Error(RangeOf(close), "Missing close bracket on index", "The index operator must end with a closing bracket (\"]\").");
                RecoverTo(TokenType.CBrack);
                return new IndexExpr(expression, key, expression.Range.Through(key.Range), RangeOf(open));
            }

            Read();
            return new IndexExpr(expression, key, expression.Range.Through(RangeOf(close)), RangeOf(open.Start, close.End));
        }
        finally
        {
            _newlineModes.Pop();
        }
    }

    private HclExpression ParseTerm()
    {
        var token = Peek();
        switch (token.Type)
        {
            case TokenType.OParen:
                return ParseParenthesized();
            case TokenType.NumberLit:
                Read();
                if (HclValue.ParseNumber(TextOf(token)) is { } number)
                {
                    return new LiteralExpr(number, RangeOf(token));
                }

                Error(RangeOf(token), "Invalid number literal", "Failed to recognize the value of this number literal.");
                return new LiteralExpr(HclValue.Null, RangeOf(token));
            case TokenType.Ident:
                Read();
                var name = TextOf(token);
                switch (name)
                {
                    case "true":
                        return new LiteralExpr(HclValue.True, RangeOf(token), name);
                    case "false":
                        return new LiteralExpr(HclValue.False, RangeOf(token), name);
                    case "null":
                        return new LiteralExpr(HclValue.Null, RangeOf(token), name);
                }

                if (Peek().Type == TokenType.OParen)
                {
                    return ParseFunctionCall(token, name);
                }

                return new VariableExpr(name, RangeOf(token));
            case TokenType.OQuote:
                return ParseQuotedTemplate();
            case TokenType.OHeredoc:
                return ParseHeredoc();
            case TokenType.OBrack:
                return ParseTuple();
            case TokenType.OBrace:
                return ParseObject();
            case TokenType.Eof:
                Error(RangeOf(token), "Missing expression", "Expected the start of an expression, but found the end of the file.");
                return new LiteralExpr(HclValue.Null, RangeOf(token));
            default:
                Error(RangeOf(token), "Invalid expression", "Expected the start of an expression, but found an invalid expression token.");
                if (token.Type is not (TokenType.Eof or TokenType.Newline or TokenType.CBrace or TokenType.CBrack or TokenType.CParen
                    or TokenType.Comma or TokenType.TemplateSeqEnd or TokenType.CQuote or TokenType.CHeredoc))
                {
                    Read();
                }

                return new LiteralExpr(HclValue.Null, RangeOf(token));
        }
    }

    private HclExpression ParseParenthesized()
    {
        var open = Read();
        _newlineModes.Push(false);
        try
        {
            var inner = ParseExpressionChecked();
            var close = Peek();
            if (close.Type != TokenType.CParen)
            {
                Error(RangeOf(close), "Unbalanced parentheses", "Expected a closing parenthesis to terminate the expression.");
                RecoverTo(TokenType.CParen);
                return new ParenExpr(inner, RangeOf(open).Through(inner.Range));
            }

            Read();
            return new ParenExpr(inner, RangeOf(open.Start, close.End));
        }
        finally
        {
            _newlineModes.Pop();
        }
    }

    private HclExpression ParseFunctionCall(Token nameToken, string name)
    {
        Read();
        _newlineModes.Push(false);
        try
        {
            var arguments = new List<HclExpression>();
            var expand = false;
            while (true)
            {
                var next = Peek();
                if (next.Type == TokenType.CParen)
                {
                    Read();
                    return new FunctionCallExpr(name, arguments, expand, RangeOf(nameToken.Start, next.End), RangeOf(nameToken));
                }

                if (next.Type == TokenType.Eof)
                {
                    Error(RangeOf(next), "Unterminated function call", "There is no closing parenthesis for this function call.");
                    return new FunctionCallExpr(name, arguments, expand, RangeOf(nameToken.Start, next.End), RangeOf(nameToken));
                }

                var argument = ParseExpressionChecked();
                arguments.Add(argument);
                var separator = Peek();
                if (separator.Type == TokenType.Ellipsis)
                {
                    Read();
                    expand = true;
                    separator = Peek();
                    if (separator.Type == TokenType.Comma)
                    {
                        Read();
                        separator = Peek();
                    }

                    if (separator.Type != TokenType.CParen)
                    {
                        Error(RangeOf(separator), "Missing closing parenthesis", "An expanded function argument (with ...) must be immediately followed by closing parentheses.");
                        RecoverTo(TokenType.CParen);
                        return new FunctionCallExpr(name, arguments, expand, RangeOf(nameToken.Start, separator.End), RangeOf(nameToken));
                    }

                    continue;
                }

                if (separator.Type == TokenType.Comma)
                {
                    Read();
                    continue;
                }

                if (separator.Type != TokenType.CParen)
                {
                    Error(RangeOf(separator), "Missing argument separator", "A comma is required to separate each function argument from the next.");
                    RecoverTo(TokenType.CParen);
                    return new FunctionCallExpr(name, arguments, expand, RangeOf(nameToken.Start, separator.End), RangeOf(nameToken));
                }
            }
        }
        finally
        {
            _newlineModes.Pop();
        }
    }

    private bool NextIsKeyword(string keyword)
    {
        var token = Peek();
        return token.Type == TokenType.Ident && TextOf(token) == keyword;
    }

    private HclExpression ParseTuple()
    {
        var open = Read();
        _newlineModes.Push(false);
        try
        {
            if (NextIsKeyword("for"))
            {
                return ParseFor(open, TokenType.CBrack);
            }

            var items = new List<HclExpression>();
            while (true)
            {
                var next = Peek();
                if (next.Type == TokenType.CBrack)
                {
                    Read();
                    return new TupleExpr(items, RangeOf(open.Start, next.End));
                }

                if (next.Type == TokenType.Eof)
                {
                    Error(RangeOf(next), "Missing expression", "Expected the start of an expression, but found the end of the file.");
                    return new TupleExpr(items, RangeOf(open.Start, next.End));
                }

                items.Add(ParseExpressionChecked());
                var separator = Peek();
                if (separator.Type == TokenType.Comma)
                {
                    Read();
                    continue;
                }

                if (separator.Type != TokenType.CBrack)
                {
                    Error(RangeOf(separator), "Missing item separator", "Expected a comma to mark the beginning of the next item.");
                    RecoverTo(TokenType.CBrack);
                    return new TupleExpr(items, RangeOf(open.Start, separator.End));
                }
            }
        }
        finally
        {
            _newlineModes.Pop();
        }
    }

    private HclExpression ParseObject()
    {
        var open = Read();
        _newlineModes.Push(true);
        try
        {
            var afterOpen = _tokens[NextIndex(_index, 0, skipNewlines: true)];
            if (afterOpen.Type == TokenType.Ident && TextOf(afterOpen) == "for")
            {
                _newlineModes.Push(false);
                try
                {
                    return ParseFor(open, TokenType.CBrace);
                }
                finally
                {
                    _newlineModes.Pop();
                }
            }

            var items = new List<KeyValuePair<HclExpression, HclExpression>>();
            while (true)
            {
                var next = Peek();
                if (next.Type == TokenType.Newline)
                {
                    Read();
                    continue;
                }

                if (next.Type == TokenType.CBrace)
                {
                    Read();
                    return new ObjectExpr(items, RangeOf(open.Start, next.End));
                }

                if (next.Type == TokenType.Eof)
                {
                    Error(RangeOf(next), "Missing expression", "Expected the start of an expression, but found the end of the file.");
                    return new ObjectExpr(items, RangeOf(open.Start, next.End));
                }

                var key = ParseExpressionChecked();
                var separator = Peek();
                if (separator.Type is not (TokenType.Equal or TokenType.Colon))
                {
                    Error(RangeOf(separator), "Missing key/value separator", "Expected an equals sign (\"=\") to mark the beginning of the attribute value.");
                    RecoverTo(TokenType.CBrace);
                    return new ObjectExpr(items, RangeOf(open.Start, separator.End));
                }

                Read();
                var value = ParseExpressionChecked();
                items.Add(new(new ObjectKeyExpr(key, key is ParenExpr), value));
                var after = Peek();
                if (after.Type is TokenType.Comma or TokenType.Newline)
                {
                    Read();
                    continue;
                }

                if (after.Type != TokenType.CBrace)
                {
                    Error(RangeOf(after), "Missing attribute separator", "Expected a newline or comma to mark the beginning of the next attribute.");
                    RecoverTo(TokenType.CBrace);
                    return new ObjectExpr(items, RangeOf(open.Start, after.End));
                }
            }
        }
        finally
        {
            _newlineModes.Pop();
        }
    }

    private HclExpression ParseFor(Token open, TokenType closer)
    {
        var forKeyword = Read();
        var invalid = new LiteralExpr(HclValue.Null, RangeOf(open.Start, forKeyword.End));
        var first = Peek();
        if (first.Type != TokenType.Ident)
        {
            Error(RangeOf(first), "Invalid 'for' expression", "For expression requires variable name after 'for'.");
            RecoverTo(closer);
            return invalid;
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
                Error(RangeOf(second), "Invalid 'for' expression", "For expression requires value variable name after comma.");
                RecoverTo(closer);
                return invalid;
            }

            Read();
            keyVariable = valueVariable;
            valueVariable = TextOf(second);
        }

        if (!NextIsKeyword("in"))
        {
            Error(RangeOf(Peek()), "Invalid 'for' expression", "For expression requires the 'in' keyword after its name declarations.");
            RecoverTo(closer);
            return invalid;
        }

        Read();
        var collection = ParseExpressionChecked();
        if (Peek().Type != TokenType.Colon)
        {
            Error(RangeOf(Peek()), "Invalid 'for' expression", "For expression requires a colon after the collection expression.");
            RecoverTo(closer);
            return invalid;
        }

        Read();
        HclExpression? keyExpression = null;
        var value = ParseExpressionChecked();
        var group = false;
        if (closer == TokenType.CBrace)
        {
            if (Peek().Type != TokenType.FatArrow)
            {
                Error(RangeOf(Peek()), "Invalid 'for' expression", "Key expression is required when building an object.");
                RecoverTo(closer);
                return invalid;
            }

            Read();
            keyExpression = value;
            value = ParseExpressionChecked();
            if (Peek().Type == TokenType.Ellipsis)
            {
                Read();
                group = true;
            }
        }
        else if (Peek().Type == TokenType.FatArrow)
        {
            Error(RangeOf(Peek()), "Invalid 'for' expression", "Key expression is not valid when building a tuple.");
            RecoverTo(closer);
            return invalid;
        }

        HclExpression? condition = null;
        if (NextIsKeyword("if"))
        {
            Read();
            condition = ParseExpressionChecked();
        }

        var close = Peek();
        if (close.Type != closer)
        {
            Error(RangeOf(close), "Invalid 'for' expression", "Extra characters after the end of the 'for' expression.");
            RecoverTo(closer);
            return invalid;
        }

        Read();
        return new ForExpr(keyVariable, valueVariable, collection, keyExpression, value, condition, group, RangeOf(open.Start, close.End));
    }
}
