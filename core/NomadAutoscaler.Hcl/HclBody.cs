namespace NomadAutoscaler.Hcl;

/// <summary>
/// A body: the top level of a file or the inside of a block. Native-syntax bodies know their attributes and blocks;
/// JSON bodies need a schema to tell them apart, so decoders should go through <see cref="Content"/>,
/// <see cref="PartialContent"/> or <see cref="JustAttributes"/>, which work the same for both syntaxes.
/// </summary>
public abstract class HclBody
{
    private protected HclBody()
    {
    }

    /// <summary>The whole body.</summary>
    public abstract HclRange Range { get; }

    /// <summary>Where to point "missing X" errors.</summary>
    public abstract HclRange MissingItemRange { get; }

    /// <summary>
    /// Decodes against <paramref name="schema"/>. Reports missing required attributes, wrong label counts, and every
    /// attribute or block the schema does not know (with a "Did you mean" hint).
    /// </summary>
    public HclBodyContent Content(HclBodySchema schema, HclDiagnostics diagnostics)
    {
        var content = PartialContent(schema, diagnostics, out var remain);
        remain.ReportUnexpected(schema, diagnostics);
        return content;
    }

    /// <summary>Like <see cref="Content"/> but leaves unknown items in <paramref name="remain"/> instead of reporting them.</summary>
    public abstract HclBodyContent PartialContent(HclBodySchema schema, HclDiagnostics diagnostics, out HclBody remain);

    /// <summary>Reads the body as free-form attributes (blocks are errors), in source order.</summary>
    public abstract IReadOnlyDictionary<string, HclAttribute> JustAttributes(HclDiagnostics diagnostics);

    internal abstract void ReportUnexpected(HclBodySchema schema, HclDiagnostics diagnostics);
}
