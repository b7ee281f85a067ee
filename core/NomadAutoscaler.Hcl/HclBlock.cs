namespace NomadAutoscaler.Hcl;

/// <summary>A block <c>type "label" { ... }</c>.</summary>
public sealed class HclBlock
{
    internal HclBlock(string type, IReadOnlyList<string> labels, HclBody body, HclRange typeRange, IReadOnlyList<HclRange> labelRanges, HclRange range)
    {
        Type = type;
        Labels = labels;
        Body = body;
        TypeRange = typeRange;
        LabelRanges = labelRanges;
        Range = range;
    }

    public string Type { get; }

    public IReadOnlyList<string> Labels { get; }

    public HclBody Body { get; }

    public HclRange TypeRange { get; }

    public IReadOnlyList<HclRange> LabelRanges { get; }

    /// <summary>The whole block including its body.</summary>
    public HclRange Range { get; }

    /// <summary>The block header (type and labels), the usual subject of block-level errors.</summary>
    public HclRange DefRange => LabelRanges.Count == 0 ? TypeRange : TypeRange.Through(LabelRanges[^1]);
}
