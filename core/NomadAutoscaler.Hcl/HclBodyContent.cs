namespace NomadAutoscaler.Hcl;

/// <summary>The attributes and blocks of a body that matched a schema.</summary>
public sealed class HclBodyContent
{
    internal HclBodyContent(IReadOnlyDictionary<string, HclAttribute> attributes, IReadOnlyList<HclBlock> blocks, HclRange missingItemRange)
    {
        Attributes = attributes;
        Blocks = blocks;
        MissingItemRange = missingItemRange;
    }

    /// <summary>Present attributes by name, in source order.</summary>
    public IReadOnlyDictionary<string, HclAttribute> Attributes { get; }

    /// <summary>Present blocks in source order.</summary>
    public IReadOnlyList<HclBlock> Blocks { get; }

    /// <summary>Where to point "missing X" errors: the body's opening brace (or the file start).</summary>
    public HclRange MissingItemRange { get; }

    public HclAttribute? GetAttribute(string name) => Attributes.TryGetValue(name, out var attribute) ? attribute : null;

    public IReadOnlyList<HclBlock> BlocksOfType(string type) =>
        Blocks.Where(b => string.Equals(b.Type, type, StringComparison.Ordinal)).ToList();
}
