using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Hcl.Native;

/// <summary>Evaluation helpers shared by the native expression nodes.</summary>
internal static class Eval
{
    // Deeply nested input is rejected by the parser long before this; it guards values built by recursion at runtime.
    public const int MaxDepth = 500;

    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static HclValue Value(HclExpression expression, HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        if (depth > MaxDepth)
        {
            diagnostics.AddError(expression.Range, "Expression too deeply nested", "The expression nests too deeply to evaluate.");
            return HclValue.Null;
        }

        return expression.EvaluateCore(context, diagnostics, depth + 1);
    }

    public static bool ToBool(HclValue value, HclRange range, string what, HclDiagnostics diagnostics, out bool result)
    {
        result = false;
        if (value.IsNull)
        {
            diagnostics.AddError(range, "Null condition", string.Create(Invariant, $"The {what} value is null. Conditions must either be true or false."));
            return false;
        }

        if (!value.TryConvert(HclValueKind.Bool, out var converted))
        {
            diagnostics.AddError(range, "Incorrect condition type", string.Create(Invariant, $"The {what} expression must be of type bool."));
            return false;
        }

        result = converted.AsBool();
        return true;
    }

    public static string? ToTemplateString(HclValue value, HclRange range, HclDiagnostics diagnostics)
    {
        if (value.IsNull)
        {
            diagnostics.AddError(range, "Invalid template interpolation value", "The expression result is null. Cannot include a null value in a string template.");
            return null;
        }

        if (!value.TryConvert(HclValueKind.String, out var converted))
        {
            diagnostics.AddError(range, "Invalid template interpolation value", string.Create(Invariant, $"Cannot include the given value in a string template: string required."));
            return null;
        }

        return converted.AsString();
    }

    public static HclValue Index(HclValue collection, HclValue key, HclRange range, HclDiagnostics diagnostics)
    {
        if (collection.IsNull)
        {
            diagnostics.AddError(range, "Attempt to index null value", "This value is null, so it does not have any indices.");
            return HclValue.Null;
        }

        if (key.IsNull)
        {
            diagnostics.AddError(range, "Invalid index", "Can't use a null value as an indexing key.");
            return HclValue.Null;
        }

        switch (collection.Kind)
        {
            case HclValueKind.Tuple:
                if (!key.TryConvert(HclValueKind.Number, out var number))
                {
                    diagnostics.AddError(range, "Invalid index", "The given key does not identify an element in this collection value: a number is required.");
                    return HclValue.Null;
                }

                var items = collection.AsTuple();
                if (!number.TryGetInt64(out var index) || index < 0 || index >= items.Count)
                {
                    diagnostics.AddError(range, "Invalid index", "The given key does not identify an element in this collection value.");
                    return HclValue.Null;
                }

                return items[(int)index];
            case HclValueKind.Object:
                if (!key.TryConvert(HclValueKind.String, out var name))
                {
                    diagnostics.AddError(range, "Invalid index", "The given key does not identify an element in this collection value: string required.");
                    return HclValue.Null;
                }

                if (collection.AsObject().TryGetValue(name.AsString(), out var found))
                {
                    return found;
                }

                diagnostics.AddError(range, "Invalid index", "The given key does not identify an element in this collection value.");
                return HclValue.Null;
            default:
                diagnostics.AddError(range, "Invalid index", "This value does not have any indices.");
                return HclValue.Null;
        }
    }

    public static HclValue GetAttribute(HclValue value, string name, HclRange range, HclDiagnostics diagnostics)
    {
        if (value.IsNull)
        {
            diagnostics.AddError(range, "Attempt to get attribute from null value", "This value is null, so it does not have any attributes.");
            return HclValue.Null;
        }

        switch (value.Kind)
        {
            case HclValueKind.Object:
                if (value.AsObject().TryGetValue(name, out var found))
                {
                    return found;
                }

                diagnostics.AddError(range, "Unsupported attribute", string.Create(Invariant, $"This object does not have an attribute named \"{name}\"."));
                return HclValue.Null;
            case HclValueKind.Tuple:
                diagnostics.AddError(range, "Unsupported attribute", "This value does not have any attributes.");
                return HclValue.Null;
            default:
                diagnostics.AddError(range, "Unsupported attribute", string.Create(Invariant, $"Can't access attributes on a primitive-typed value ({value.TypeName})."));
                return HclValue.Null;
        }
    }

    /// <summary>Iterates a tuple (index, value) or object (key, value, sorted by key) for for-expressions.</summary>
    public static List<(HclValue Key, HclValue Value)>? Iterate(HclValue collection, HclRange range, HclDiagnostics diagnostics)
    {
        if (collection.IsNull)
        {
            diagnostics.AddError(range, "Iteration over null value", "A null value cannot be used as the collection in a 'for' expression.");
            return null;
        }

        switch (collection.Kind)
        {
            case HclValueKind.Tuple:
                return collection.AsTuple().Select((v, i) => (HclValue.Number(i), v)).ToList();
            case HclValueKind.Object:
                return collection.AsObject().Select(kv => (HclValue.String(kv.Key), kv.Value)).ToList();
            default:
                diagnostics.AddError(range, "Iteration over non-iterable value",
                    string.Create(Invariant, $"A value of type {collection.TypeName} cannot be used as the collection in a 'for' expression."));
                return null;
        }
    }
}

/// <param name="keyword"><c>true</c>, <c>false</c> or <c>null</c> when the literal was written as that keyword: like
/// hclsyntax, such a literal still reads as a bare name where one is wanted (<c>{ null = 1 }</c> has the key "null").</param>
internal sealed class LiteralExpr(HclValue value, HclRange range, string? keyword = null) : HclExpression
{
    public HclValue Value { get; } = value;

    public override HclRange Range { get; } = range;

    public override string? Keyword => keyword;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth) => Value;
}

internal sealed class VariableExpr(string name, HclRange range) : HclExpression
{
    public string Name { get; } = name;

    public override HclRange Range { get; } = range;

    public override string? Keyword => Name;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        if (context is null)
        {
            diagnostics.AddError(Range, "Variables not allowed", "Variables may not be used here.");
            return HclValue.Null;
        }

        if (context.TryGetVariable(Name, out var value))
        {
            return value;
        }

        diagnostics.AddError(Range, "Unknown variable", string.Create(Eval.Invariant, $"There is no variable named \"{Name}\"."));
        return HclValue.Null;
    }
}

internal sealed class GetAttrExpr(HclExpression source, string name, HclRange range, HclRange nameRange) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var value = Eval.Value(source, context, diagnostics, depth);
        return diagnostics.Count > before && value.IsNull ? value : Eval.GetAttribute(value, name, nameRange, diagnostics);
    }
}

internal sealed class IndexExpr(HclExpression source, HclExpression key, HclRange range, HclRange bracketRange) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var collection = Eval.Value(source, context, diagnostics, depth);
        var keyValue = Eval.Value(key, context, diagnostics, depth);
        return diagnostics.Count > before ? HclValue.Null : Eval.Index(collection, keyValue, bracketRange, diagnostics);
    }
}

/// <summary>Stands for "the current element" inside a splat's per-item traversal.</summary>
internal sealed class SplatItemExpr(HclRange range) : HclExpression
{
    public HclValue Current { get; set; } = HclValue.Null;

    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth) => Current;
}

internal sealed class SplatExpr(HclExpression source, HclExpression each, SplatItemExpr item, HclRange range) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var value = Eval.Value(source, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        if (value.IsNull)
        {
            return HclValue.EmptyTuple;
        }

        var upgraded = value.Kind == HclValueKind.Tuple ? value.AsTuple() : [value];
        var results = new List<HclValue>(upgraded.Count);
        foreach (var element in upgraded)
        {
            item.Current = element;
            results.Add(Eval.Value(each, context, diagnostics, depth));
        }

        return HclValue.Tuple(results);
    }
}

internal sealed class ParenExpr(HclExpression inner, HclRange range) : HclExpression
{
    public HclExpression Inner { get; } = inner;

    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth) =>
        Eval.Value(Inner, context, diagnostics, depth);
}

internal sealed class TupleExpr(List<HclExpression> items, HclRange range) : HclExpression
{
    public override HclRange Range { get; } = range;

    public override IReadOnlyList<HclExpression>? TupleItems => items;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth) =>
        HclValue.Tuple(items.Select(i => Eval.Value(i, context, diagnostics, depth)).ToList());
}

/// <summary>An object key: a bare identifier is a literal string, anything else is evaluated.</summary>
internal sealed class ObjectKeyExpr(HclExpression wrapped, bool forceNonLiteral) : HclExpression
{
    public HclExpression Wrapped { get; } = wrapped;

    public override HclRange Range => Wrapped.Range;

    public override string? Keyword => forceNonLiteral ? null : Wrapped.Keyword;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        if (!forceNonLiteral && Wrapped.Keyword is { } name)
        {
            return HclValue.String(name);
        }

        return Eval.Value(Wrapped, context, diagnostics, depth);
    }
}

internal sealed class ObjectExpr(List<KeyValuePair<HclExpression, HclExpression>> items, HclRange range) : HclExpression
{
    public override HclRange Range { get; } = range;

    public override IReadOnlyList<KeyValuePair<HclExpression, HclExpression>>? ObjectItems => items;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var result = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        var failed = false;
        foreach (var (keyExpr, valueExpr) in items)
        {
            var key = Eval.Value(keyExpr, context, diagnostics, depth);
            var value = Eval.Value(valueExpr, context, diagnostics, depth);
            if (key.IsNull)
            {
                diagnostics.AddError(keyExpr.Range, "Null value as key", "Can't use a null value as a key.");
                failed = true;
                continue;
            }

            if (!key.TryConvert(HclValueKind.String, out var keyString))
            {
                diagnostics.AddError(keyExpr.Range, "Incorrect key type", "Can't use this value as a key: string required.");
                failed = true;
                continue;
            }

            result[keyString.AsString()] = value;
        }

        return failed ? HclValue.Null : HclValue.Object(result);
    }
}

internal enum UnaryOperator
{
    Negate,
    Not,
}

internal sealed class UnaryExpr(UnaryOperator op, HclExpression operand, HclRange range, HclRange symbolRange) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var value = Eval.Value(operand, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        var wanted = op == UnaryOperator.Negate ? HclValueKind.Number : HclValueKind.Bool;
        if (value.IsNull || !value.TryConvert(wanted, out var converted))
        {
            diagnostics.AddError(operand.Range, "Invalid operand",
                string.Create(Eval.Invariant, $"Unsuitable value for unary operand: {(wanted == HclValueKind.Number ? "a number" : "a bool")} is required."));
            _ = symbolRange;
            return HclValue.Null;
        }

        return op == UnaryOperator.Negate
            ? HclValue.Number(converted.NumberValue!.Negate())
            : HclValue.Bool(!converted.AsBool());
    }
}

internal enum BinaryOperator
{
    Or,
    And,
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

internal sealed class BinaryExpr(BinaryOperator op, HclExpression left, HclExpression right, HclRange range) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var leftValue = Eval.Value(left, context, diagnostics, depth);
        var rightValue = Eval.Value(right, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        switch (op)
        {
            case BinaryOperator.Equal:
                return HclValue.Bool(leftValue.Equals(rightValue));
            case BinaryOperator.NotEqual:
                return HclValue.Bool(!leftValue.Equals(rightValue));
            case BinaryOperator.And or BinaryOperator.Or:
                if (!Operand(leftValue, HclValueKind.Bool, left, "left", diagnostics, out var lb)
                    | !Operand(rightValue, HclValueKind.Bool, right, "right", diagnostics, out var rb))
                {
                    return HclValue.Null;
                }

                return HclValue.Bool(op == BinaryOperator.And ? lb.AsBool() && rb.AsBool() : lb.AsBool() || rb.AsBool());
        }

        if (!Operand(leftValue, HclValueKind.Number, left, "left", diagnostics, out var ln)
            | !Operand(rightValue, HclValueKind.Number, right, "right", diagnostics, out var rn))
        {
            return HclValue.Null;
        }

        var a = ln.NumberValue!;
        var b = rn.NumberValue!;
        HclNumber? result;
        string? failure = null;
        switch (op)
        {
            case BinaryOperator.GreaterThan:
                return HclValue.Bool(a.CompareTo(b) > 0);
            case BinaryOperator.GreaterThanOrEqual:
                return HclValue.Bool(a.CompareTo(b) >= 0);
            case BinaryOperator.LessThan:
                return HclValue.Bool(a.CompareTo(b) < 0);
            case BinaryOperator.LessThanOrEqual:
                return HclValue.Bool(a.CompareTo(b) <= 0);
            case BinaryOperator.Add:
                result = a.Add(b);
                failure = "can't compute sum of opposing infinities";
                break;
            case BinaryOperator.Subtract:
                result = a.Subtract(b);
                failure = "can't subtract infinity from itself";
                break;
            case BinaryOperator.Multiply:
                result = a.Multiply(b);
                failure = "can't multiply zero by infinity";
                break;
            case BinaryOperator.Divide:
                result = a.Divide(b);
                failure = "can't divide zero by zero or infinity by infinity";
                break;
            default:
                result = a.Modulo(b);
                failure = "can't use modulo with zero and infinity";
                break;
        }

        if (result is null)
        {
            diagnostics.AddError(Range, "Error in function call", "Call to function \"arithmetic\" failed: " + failure + ".");
            return HclValue.Null;
        }

        return HclValue.Number(result);
    }

    private static bool Operand(HclValue value, HclValueKind kind, HclExpression expression, string side, HclDiagnostics diagnostics, out HclValue converted)
    {
        if (!value.IsNull && value.TryConvert(kind, out converted))
        {
            return true;
        }

        converted = HclValue.Null;
        var required = kind == HclValueKind.Number ? "a number" : "a bool";
        diagnostics.AddError(expression.Range, "Invalid operand",
            string.Create(Eval.Invariant, $"Unsuitable value for {side} operand: {(value.IsNull ? "argument must not be null" : required + " is required")}."));
        return false;
    }
}

internal sealed class ConditionalExpr(HclExpression condition, HclExpression whenTrue, HclExpression whenFalse, HclRange range) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        // As hclsyntax: both results are evaluated (their types must agree), but only the chosen one's problems are
        // reported, so `true ? 4 : 0/0` is 4. A result that failed has no type yet and agrees with anything.
        var trueDiagnostics = new HclDiagnostics();
        var trueValue = Eval.Value(whenTrue, context, trueDiagnostics, depth);
        var falseDiagnostics = new HclDiagnostics();
        var falseValue = Eval.Value(whenFalse, context, falseDiagnostics, depth);
        HclValue? t = trueValue, f = falseValue;
        if (!trueDiagnostics.HasErrors && !falseDiagnostics.HasErrors)
        {
            (t, f) = Unify(trueValue, falseValue);
            if (t is null || f is null)
            {
                diagnostics.AddError(Range, "Inconsistent conditional result types",
                    string.Create(Eval.Invariant, $"The true and false result expressions must have consistent types. The 'true' value is {trueValue.TypeName}, but the 'false' value is {falseValue.TypeName}."));
                return HclValue.Null;
            }
        }

        var before = diagnostics.Count;
        var conditionValue = Eval.Value(condition, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        if (!Eval.ToBool(conditionValue, condition.Range, "condition", diagnostics, out var chosen))
        {
            return HclValue.Null;
        }

        var taken = chosen ? trueDiagnostics : falseDiagnostics;
        diagnostics.AddRange(taken);
        return taken.HasErrors ? HclValue.Null : (chosen ? t : f)!;
    }

    /// <summary>Primitive type unification as cty's convert.Unify does: mixed primitives become strings.</summary>
    private static (HclValue?, HclValue?) Unify(HclValue a, HclValue b)
    {
        if (a.IsNull || b.IsNull || a.Kind == b.Kind)
        {
            return (a, b);
        }

        var primitives = new[] { HclValueKind.String, HclValueKind.Number, HclValueKind.Bool };
        if (primitives.Contains(a.Kind) && primitives.Contains(b.Kind))
        {
            if (a.Kind == HclValueKind.String || b.Kind == HclValueKind.String)
            {
                a.TryConvert(HclValueKind.String, out var sa);
                b.TryConvert(HclValueKind.String, out var sb);
                return (sa, sb);
            }

            return (null, null);
        }

        return (null, null);
    }
}

internal sealed class FunctionCallExpr(string name, List<HclExpression> arguments, bool expandFinal, HclRange range, HclRange nameRange) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        if (context is null || !context.HasFunctions)
        {
            diagnostics.AddError(nameRange, "Function calls not allowed", "Functions may not be called here.");
            return HclValue.Null;
        }

        if (!context.TryGetFunction(name, out var function))
        {
            diagnostics.AddError(nameRange, "Call to unknown function", string.Create(Eval.Invariant, $"There is no function named \"{name}\"."));
            return HclValue.Null;
        }

        var before = diagnostics.Count;
        var values = new List<HclValue>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var value = Eval.Value(arguments[i], context, diagnostics, depth);
            if (expandFinal && i == arguments.Count - 1)
            {
                if (value.Kind == HclValueKind.Tuple)
                {
                    values.AddRange(value.AsTuple());
                }
                else if (!value.IsNull || diagnostics.Count == before)
                {
                    diagnostics.AddError(arguments[i].Range, "Invalid expanding argument value", "The expanding argument (indicated by ...) must be of a tuple, list, or set type.");
                }
            }
            else
            {
                values.Add(value);
            }
        }

        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        if (values.Count < function.ParameterCount)
        {
            diagnostics.AddError(Range, "Not enough function arguments",
                string.Create(Eval.Invariant, $"Function \"{name}\" expects {function.ParameterCount} argument(s). Missing value for argument {values.Count + 1}."));
            return HclValue.Null;
        }

        if (!function.Variadic && values.Count > function.ParameterCount)
        {
            var extra = arguments.Count > function.ParameterCount ? arguments[function.ParameterCount].Range : Range;
            diagnostics.AddError(extra, "Too many function arguments",
                string.Create(Eval.Invariant, $"Function \"{name}\" expects only {function.ParameterCount} argument(s)."));
            return HclValue.Null;
        }

        try
        {
            return function.Implementation(values);
        }
        catch (HclFunctionException ex)
        {
            var subject = ex.ArgumentIndex is { } index && index < arguments.Count ? arguments[index].Range : Range;
            diagnostics.AddError(subject, ex.ArgumentIndex is null ? "Error in function call" : "Invalid function argument",
                string.Create(Eval.Invariant, $"Call to function \"{name}\" failed: {ex.Message}"));
            return HclValue.Null;
        }
    }
}

internal sealed class ForExpr(
    string? keyVariable,
    string valueVariable,
    HclExpression collection,
    HclExpression? keyExpression,
    HclExpression valueExpression,
    HclExpression? condition,
    bool group,
    HclRange range) : HclExpression
{
    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var source = Eval.Value(collection, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        var elements = Eval.Iterate(source, collection.Range, diagnostics);
        if (elements is null)
        {
            return HclValue.Null;
        }

        var tupleItems = new List<HclValue>();
        var objectItems = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<HclValue>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (key, value) in elements)
        {
            var scope = (context ?? new HclEvalContext()).NewChild();
            if (keyVariable is not null)
            {
                scope.Variables[keyVariable] = key;
            }

            scope.Variables[valueVariable] = value;
            if (condition is not null)
            {
                var conditionValue = Eval.Value(condition, scope, diagnostics, depth);
                if (diagnostics.Count > before)
                {
                    return HclValue.Null;
                }

                if (!Eval.ToBool(conditionValue, condition.Range, "filter", diagnostics, out var keep))
                {
                    return HclValue.Null;
                }

                if (!keep)
                {
                    continue;
                }
            }

            if (keyExpression is null)
            {
                tupleItems.Add(Eval.Value(valueExpression, scope, diagnostics, depth));
                continue;
            }

            var keyValue = Eval.Value(keyExpression, scope, diagnostics, depth);
            var itemValue = Eval.Value(valueExpression, scope, diagnostics, depth);
            if (diagnostics.Count > before)
            {
                return HclValue.Null;
            }

            if (keyValue.IsNull || !keyValue.TryConvert(HclValueKind.String, out var keyString))
            {
                diagnostics.AddError(keyExpression.Range, "Invalid object key",
                    keyValue.IsNull ? "Key expression in 'for' expression must not produce a null value." : "The key expression produced an invalid result: string required.");
                return HclValue.Null;
            }

            var name = keyString.AsString();
            if (group)
            {
                if (!groups.TryGetValue(name, out var list))
                {
                    list = [];
                    groups[name] = list;
                    order.Add(name);
                }

                list.Add(itemValue);
            }
            else
            {
                if (objectItems.ContainsKey(name))
                {
                    diagnostics.AddError(keyExpression.Range, "Duplicate object key",
                        string.Create(Eval.Invariant, $"Two different items produced the key \"{name}\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."));
                    return HclValue.Null;
                }

                objectItems[name] = itemValue;
            }
        }

        if (diagnostics.Count > before)
        {
            return HclValue.Null;
        }

        if (keyExpression is null)
        {
            return HclValue.Tuple(tupleItems);
        }

        return group
            ? HclValue.Object(order.Select(k => new KeyValuePair<string, HclValue>(k, HclValue.Tuple(groups[k]))))
            : HclValue.Object(objectItems);
    }
}

/// <summary>A piece of a template.</summary>
internal abstract class TemplatePart
{
    public abstract void Render(StringBuilder output, HclEvalContext? context, HclDiagnostics diagnostics, int depth);
}

internal sealed class LiteralPart(string text) : TemplatePart
{
    public string Text { get; set; } = text;

    public override void Render(StringBuilder output, HclEvalContext? context, HclDiagnostics diagnostics, int depth) => output.Append(Text);
}

internal sealed class InterpolationPart(HclExpression expression) : TemplatePart
{
    public HclExpression Expression { get; } = expression;

    public override void Render(StringBuilder output, HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var value = Eval.Value(Expression, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return;
        }

        output.Append(Eval.ToTemplateString(value, Expression.Range, diagnostics));
    }
}

internal sealed class IfPart(HclExpression condition, List<TemplatePart> whenTrue, List<TemplatePart> whenFalse) : TemplatePart
{
    public override void Render(StringBuilder output, HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var value = Eval.Value(condition, context, diagnostics, depth);
        if (diagnostics.Count > before || !Eval.ToBool(value, condition.Range, "condition", diagnostics, out var chosen))
        {
            return;
        }

        foreach (var part in chosen ? whenTrue : whenFalse)
        {
            part.Render(output, context, diagnostics, depth);
        }
    }
}

internal sealed class ForPart(string? keyVariable, string valueVariable, HclExpression collection, List<TemplatePart> body) : TemplatePart
{
    public override void Render(StringBuilder output, HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var source = Eval.Value(collection, context, diagnostics, depth);
        if (diagnostics.Count > before)
        {
            return;
        }

        var elements = Eval.Iterate(source, collection.Range, diagnostics);
        if (elements is null)
        {
            return;
        }

        foreach (var (key, value) in elements)
        {
            var scope = (context ?? new HclEvalContext()).NewChild();
            if (keyVariable is not null)
            {
                scope.Variables[keyVariable] = key;
            }

            scope.Variables[valueVariable] = value;
            foreach (var part in body)
            {
                part.Render(output, scope, diagnostics, depth);
            }
        }
    }
}

internal sealed class TemplateExpr(List<TemplatePart> parts, HclRange range) : HclExpression
{
    public List<TemplatePart> Parts { get; } = parts;

    public override HclRange Range { get; } = range;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        var before = diagnostics.Count;
        var output = new StringBuilder();
        foreach (var part in Parts)
        {
            part.Render(output, context, diagnostics, depth);
        }

        return diagnostics.Count > before ? HclValue.Null : HclValue.String(output.ToString());
    }
}
