namespace NomadAutoscaler.Hcl;

/// <summary>What a body may contain. Used to decode (and, for JSON, to tell blocks from attributes).</summary>
public sealed class HclBodySchema
{
    public HclBodySchema(IEnumerable<HclAttributeSchema>? attributes = null, IEnumerable<HclBlockSchema>? blocks = null)
    {
        Attributes = attributes?.ToList() ?? [];
        Blocks = blocks?.ToList() ?? [];
    }

    public IReadOnlyList<HclAttributeSchema> Attributes { get; }

    public IReadOnlyList<HclBlockSchema> Blocks { get; }
}
