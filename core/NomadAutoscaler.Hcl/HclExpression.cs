namespace NomadAutoscaler.Hcl;

/// <summary>An unevaluated expression from either syntax.</summary>
public abstract class HclExpression
{
    private protected HclExpression()
    {
    }

    public abstract HclRange Range { get; }

    /// <summary>
    /// Evaluates with the given variables and functions (null = none). Problems are appended to
    /// <paramref name="diagnostics"/> and the result is then <see cref="HclValue.Null"/> or partial.
    /// </summary>
    public HclValue Evaluate(HclEvalContext? context, HclDiagnostics diagnostics) =>
        EvaluateCore(context, diagnostics, depth: 0);

    /// <summary>Evaluates and throws <see cref="HclException"/> on errors.</summary>
    public HclValue Evaluate(HclEvalContext? context = null)
    {
        var diagnostics = new HclDiagnostics();
        var value = Evaluate(context, diagnostics);
        diagnostics.ThrowIfErrors();
        return value;
    }

    /// <summary>
    /// When the expression is an object constructor (<c>{ k = v }</c> or a JSON object), its key and value
    /// expressions in source order, so decoders can point errors at a single item; otherwise null.
    /// </summary>
    public virtual IReadOnlyList<KeyValuePair<HclExpression, HclExpression>>? ObjectItems => null;

    /// <summary>When the expression is a tuple constructor (<c>[a, b]</c> or a JSON array), its items; otherwise null.</summary>
    public virtual IReadOnlyList<HclExpression>? TupleItems => null;

    /// <summary>When the expression is a bare identifier (<c>foo</c>), that name; otherwise null (hcl.ExprAsKeyword).</summary>
    public virtual string? Keyword => null;

    internal abstract HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth);
}
