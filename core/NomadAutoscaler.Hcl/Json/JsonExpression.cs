using NomadAutoscaler.Hcl.Native;

namespace NomadAutoscaler.Hcl.Json;

/// <summary>
/// An expression in JSON syntax. As in hcl's json package, strings are templates (so "${...}" interpolates) when
/// evaluated with a context, and literal strings without one.
/// </summary>
internal sealed class JsonExpression(JsonNode node) : HclExpression
{
    public override HclRange Range => node.Range;

    public override IReadOnlyList<KeyValuePair<HclExpression, HclExpression>>? ObjectItems =>
        node is JsonObjectNode obj
            ? obj.Properties.Select(p => new KeyValuePair<HclExpression, HclExpression>(
                new JsonExpression(new JsonStringNode(p.Name, p.NameRange)), new JsonExpression(p.Value))).ToList()
            : null;

    public override IReadOnlyList<HclExpression>? TupleItems =>
        node is JsonArrayNode array ? array.Items.Select(i => (HclExpression)new JsonExpression(i)).ToList() : null;

    public override string? Keyword => node is JsonStringNode s ? s.Value : null;

    internal override HclValue EvaluateCore(HclEvalContext? context, HclDiagnostics diagnostics, int depth) =>
        Evaluate(node, context, diagnostics, depth);

    public static HclValue Literal(JsonNode node) => Evaluate(node, null, new HclDiagnostics(), 0);

    private static HclValue Evaluate(JsonNode node, HclEvalContext? context, HclDiagnostics diagnostics, int depth)
    {
        switch (node)
        {
            case JsonLiteralNode literal:
                return literal.Value;
            case JsonNumberNode number:
                return HclValue.ParseNumber(number.Text) ?? HclValue.Null;
            case JsonStringNode text:
                return context is null ? HclValue.String(text.Value) : Template(text, context, diagnostics, depth);
            case JsonArrayNode array:
                return HclValue.Tuple(array.Items.Select(i => Evaluate(i, context, diagnostics, depth + 1)).ToList());
            case JsonObjectNode obj:
                var attributes = new Dictionary<string, HclValue>(StringComparer.Ordinal);
                foreach (var property in obj.Properties)
                {
                    var key = context is null
                        ? property.Name
                        : Template(new JsonStringNode(property.Name, property.NameRange), context, diagnostics, depth).ToString();
                    if (attributes.ContainsKey(key))
                    {
                        diagnostics.AddError(property.NameRange, "Duplicate JSON object property",
                            "An property named \"" + key + "\" was already defined at an earlier point in this object.");
                        continue;
                    }

                    attributes[key] = Evaluate(property.Value, context, diagnostics, depth + 1);
                }

                return HclValue.Object(attributes);
            default:
                return HclValue.Null;
        }
    }

    private static HclValue Template(JsonStringNode text, HclEvalContext context, HclDiagnostics diagnostics, int depth)
    {
        if (!text.Value.Contains("${", StringComparison.Ordinal) && !text.Value.Contains("%{", StringComparison.Ordinal))
        {
            return HclValue.String(text.Value.Replace("$${", "${", StringComparison.Ordinal).Replace("%%{", "%{", StringComparison.Ordinal));
        }

        var template = NativeParser.ParseTemplate(System.Text.Encoding.UTF8.GetBytes(text.Value), text.Range.FileName, diagnostics);
        return diagnostics.HasErrors ? HclValue.Null : template.EvaluateCore(context, diagnostics, depth + 1);
    }
}
