namespace NomadAutoscaler.Hcl;

/// <summary>An attribute (argument) <c>name = expression</c> of a body.</summary>
public sealed class HclAttribute
{
    internal HclAttribute(string name, HclExpression expression, HclRange range, HclRange nameRange)
    {
        Name = name;
        Expression = expression;
        Range = range;
        NameRange = nameRange;
    }

    public string Name { get; }

    public HclExpression Expression { get; }

    /// <summary>The whole definition, name through value.</summary>
    public HclRange Range { get; }

    public HclRange NameRange { get; }

    /// <summary>The value's source range (for "this value is wrong" errors).</summary>
    public HclRange ValueRange => Expression.Range;

    /// <summary>Evaluates the value; problems are added to <paramref name="diagnostics"/> and the result is then null.</summary>
    public HclValue Evaluate(HclEvalContext? context, HclDiagnostics diagnostics) => Expression.Evaluate(context, diagnostics);
}
