using System.Globalization;

namespace NomadAutoscaler.Hcl.Json;

/// <summary>
/// A JSON-syntax body: one or more JSON objects whose properties become attributes or blocks only once a schema says
/// which, exactly as hcl's json package does. A property named "//" is a comment and ignored.
/// </summary>
internal sealed class JsonBody : HclBody
{
    private readonly List<JsonObjectNode> _objects;
    private readonly HclRange _range;
    private readonly HashSet<string> _hidden;

    private readonly bool _rootIsArray;

    public JsonBody(List<JsonObjectNode> objects, HclRange range, bool rootIsArray = false)
        : this(objects, range, [])
    {
        _rootIsArray = rootIsArray;
    }

    private JsonBody(List<JsonObjectNode> objects, HclRange range, HashSet<string> hidden)
    {
        _objects = objects;
        _range = range;
        _hidden = hidden;
    }

    public override HclRange Range => _range;

    public override HclRange MissingItemRange => _objects.Count > 0 ? _objects[0].OpenRange : _range.StartOnly();

    private IEnumerable<JsonProperty> Properties =>
        _objects.SelectMany(o => o.Properties).Where(p => p.Name != "//" && !_hidden.Contains(p.Name));

    public override HclBodyContent PartialContent(HclBodySchema schema, HclDiagnostics diagnostics, out HclBody remain)
    {
        var attributes = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        var blocks = new List<HclBlock>();
        var hidden = new HashSet<string>(_hidden, StringComparer.Ordinal);
        foreach (var property in Properties)
        {
            if (schema.Attributes.Any(a => a.Name == property.Name))
            {
                if (attributes.TryGetValue(property.Name, out var existing))
                {
                    diagnostics.AddError(property.NameRange, "Duplicate argument",
                        string.Create(CultureInfo.InvariantCulture, $"The argument \"{property.Name}\" was already set at {existing.NameRange}."));
                    continue;
                }

                var expression = new JsonExpression(property.Value);
                attributes[property.Name] = new HclAttribute(property.Name, expression, property.NameRange.Through(property.Value.Range), property.NameRange);
                continue;
            }

            if (schema.Blocks.FirstOrDefault(b => b.Type == property.Name) is { } blockSchema)
            {
                UnpackBlocks(property.Name, property.NameRange, property.Value, blockSchema.LabelNames, [], [], blocks, diagnostics);
            }
        }

        foreach (var attributeSchema in schema.Attributes)
        {
            hidden.Add(attributeSchema.Name);
            if (attributeSchema.Required && !attributes.ContainsKey(attributeSchema.Name))
            {
                diagnostics.Add(BodyDiagnostics.MissingArgument(attributeSchema.Name, MissingItemRange));
            }
        }

        foreach (var blockSchema in schema.Blocks)
        {
            hidden.Add(blockSchema.Type);
        }

        remain = new JsonBody(_objects, _range, hidden);
        return new HclBodyContent(attributes, blocks, MissingItemRange);
    }

    private static void UnpackBlocks(string type, HclRange typeRange, JsonNode value, string[] labelNames, List<string> labels,
        List<HclRange> labelRanges, List<HclBlock> blocks, HclDiagnostics diagnostics)
    {
        if (labels.Count < labelNames.Length)
        {
            if (value is not JsonObjectNode labelObject)
            {
                diagnostics.AddError(value.Range, string.Create(CultureInfo.InvariantCulture, $"Missing {labelNames[labels.Count]} for {type}"),
                    string.Create(CultureInfo.InvariantCulture, $"All {type} blocks must have {labelNames.Length} labels ({string.Join(", ", labelNames)})."));
                return;
            }

            foreach (var property in labelObject.Properties)
            {
                UnpackBlocks(type, typeRange, property.Value, labelNames, [.. labels, property.Name], [.. labelRanges, property.NameRange], blocks, diagnostics);
            }

            return;
        }

        switch (value)
        {
            case JsonObjectNode obj:
                blocks.Add(new HclBlock(type, labels, new JsonBody([obj], obj.Range), typeRange, labelRanges, typeRange.Through(obj.Range)));
                break;
            case JsonArrayNode array:
                foreach (var item in array.Items)
                {
                    if (item is JsonObjectNode element)
                    {
                        blocks.Add(new HclBlock(type, labels, new JsonBody([element], element.Range), typeRange, labelRanges, typeRange.Through(element.Range)));
                    }
                    else
                    {
                        diagnostics.AddError(item.Range, "Incorrect JSON value type", "A JSON object is required here, setting the arguments for this block.");
                    }
                }

                break;
            default:
                diagnostics.AddError(value.Range, "Incorrect JSON value type", "Either a JSON object or a JSON array is required, representing the contents of one or more blocks.");
                break;
        }
    }

    public override IReadOnlyDictionary<string, HclAttribute> JustAttributes(HclDiagnostics diagnostics)
    {
        var attributes = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        if (_rootIsArray)
        {
            // As hcl: an array of objects can only be merged by a schema, never read as plain attributes.
            diagnostics.AddError(_range.StartOnly(), "Incorrect JSON value type", "A JSON object is required here, setting the arguments for this block.");
            return attributes;
        }

        foreach (var property in Properties)
        {
            if (attributes.TryGetValue(property.Name, out var existing))
            {
                diagnostics.AddError(property.NameRange, "Duplicate argument",
                    string.Create(CultureInfo.InvariantCulture, $"The argument \"{property.Name}\" was already set at {existing.NameRange}."));
                continue;
            }

            attributes[property.Name] = new HclAttribute(property.Name, new JsonExpression(property.Value), property.NameRange.Through(property.Value.Range), property.NameRange);
        }

        return attributes;
    }

    internal override void ReportUnexpected(HclBodySchema schema, HclDiagnostics diagnostics)
    {
        foreach (var property in Properties)
        {
            var names = schema.Attributes.Select(a => a.Name).Concat(schema.Blocks.Select(b => b.Type));
            var suggestion = Suggestions.Closest(property.Name, names);
            var hint = suggestion is null ? "" : string.Create(CultureInfo.InvariantCulture, $" Did you mean \"{suggestion}\"?");
            diagnostics.AddError(property.NameRange, "Extraneous JSON object property",
                string.Create(CultureInfo.InvariantCulture, $"No argument or block type is named \"{property.Name}\".{hint}"));
        }
    }
}
