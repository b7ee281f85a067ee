using System.Globalization;

namespace NomadAutoscaler.Hcl.Native;

/// <summary>A native-syntax body. Hidden names implement PartialContent's "remaining body".</summary>
internal sealed class NativeBody : HclBody
{
    private readonly HclRange _range;
    private readonly HclRange _missingItemRange;
    private readonly HashSet<string> _hiddenAttributes;
    private readonly HashSet<string> _hiddenBlocks;

    public NativeBody(List<HclAttribute> attributes, List<HclBlock> blocks, HclRange range, HclRange missingItemRange)
        : this(attributes, blocks, range, missingItemRange, [], [])
    {
    }

    private NativeBody(List<HclAttribute> attributes, List<HclBlock> blocks, HclRange range, HclRange missingItemRange,
        HashSet<string> hiddenAttributes, HashSet<string> hiddenBlocks)
    {
        Attributes = attributes;
        Blocks = blocks;
        _range = range;
        _missingItemRange = missingItemRange;
        _hiddenAttributes = hiddenAttributes;
        _hiddenBlocks = hiddenBlocks;
    }

    public List<HclAttribute> Attributes { get; }

    public List<HclBlock> Blocks { get; }

    public override HclRange Range => _range;

    public override HclRange MissingItemRange => _missingItemRange;

    public override HclBodyContent PartialContent(HclBodySchema schema, HclDiagnostics diagnostics, out HclBody remain)
    {
        var attributes = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        var hiddenAttributes = new HashSet<string>(_hiddenAttributes, StringComparer.Ordinal);
        var hiddenBlocks = new HashSet<string>(_hiddenBlocks, StringComparer.Ordinal);
        foreach (var attributeSchema in schema.Attributes)
        {
            var attribute = _hiddenAttributes.Contains(attributeSchema.Name)
                ? null
                : Attributes.Find(a => a.Name == attributeSchema.Name);
            hiddenAttributes.Add(attributeSchema.Name);
            if (attribute is not null)
            {
                attributes[attribute.Name] = attribute;
            }
            else if (attributeSchema.Required)
            {
                diagnostics.Add(BodyDiagnostics.MissingArgument(attributeSchema.Name, _missingItemRange));
            }
        }

        // Keep source order of attributes in the result.
        var ordered = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        foreach (var attribute in Attributes)
        {
            if (attributes.ContainsKey(attribute.Name))
            {
                ordered[attribute.Name] = attribute;
            }
        }

        var blocks = new List<HclBlock>();
        foreach (var block in Blocks)
        {
            if (_hiddenBlocks.Contains(block.Type))
            {
                continue;
            }

            var blockSchema = schema.Blocks.FirstOrDefault(b => b.Type == block.Type);
            if (blockSchema is null)
            {
                continue;
            }

            if (BodyDiagnostics.CheckLabels(block, blockSchema, diagnostics))
            {
                blocks.Add(block);
            }
        }

        foreach (var blockSchema in schema.Blocks)
        {
            hiddenBlocks.Add(blockSchema.Type);
        }

        remain = new NativeBody(Attributes, Blocks, _range, _missingItemRange, hiddenAttributes, hiddenBlocks);
        return new HclBodyContent(ordered, blocks, _missingItemRange);
    }

    public override IReadOnlyDictionary<string, HclAttribute> JustAttributes(HclDiagnostics diagnostics)
    {
        foreach (var block in Blocks)
        {
            if (_hiddenBlocks.Contains(block.Type))
            {
                continue;
            }

            diagnostics.AddError(block.TypeRange, string.Create(CultureInfo.InvariantCulture, $"Unexpected \"{block.Type}\" block"),
                "Blocks are not allowed here.");
        }

        var result = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        foreach (var attribute in Attributes)
        {
            if (!_hiddenAttributes.Contains(attribute.Name))
            {
                result[attribute.Name] = attribute;
            }
        }

        return result;
    }

    internal override void ReportUnexpected(HclBodySchema schema, HclDiagnostics diagnostics)
    {
        foreach (var attribute in Attributes)
        {
            if (!_hiddenAttributes.Contains(attribute.Name))
            {
                diagnostics.Add(BodyDiagnostics.UnsupportedArgument(attribute.Name, attribute.NameRange, schema));
            }
        }

        foreach (var block in Blocks)
        {
            if (!_hiddenBlocks.Contains(block.Type))
            {
                diagnostics.Add(BodyDiagnostics.UnsupportedBlock(block.Type, block.TypeRange, schema));
            }
        }
    }
}
