using System.Globalization;

namespace NomadAutoscaler.Hcl;

/// <summary>The wording of schema-related diagnostics, shared by both syntaxes (matches hcl's texts).</summary>
internal static class BodyDiagnostics
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static HclDiagnostic MissingArgument(string name, HclRange subject) =>
        HclDiagnostic.Error(subject, "Missing required argument",
            string.Create(Invariant, $"The argument \"{name}\" is required, but no definition was found."));

    public static HclDiagnostic UnsupportedArgument(string name, HclRange subject, HclBodySchema schema)
    {
        string hint;
        if (schema.Blocks.Any(b => b.Type == name))
        {
            hint = string.Create(Invariant, $" Did you mean to define a block of type \"{name}\"?");
        }
        else if (Suggestions.Closest(name, schema.Attributes.Select(a => a.Name)) is { } suggestion)
        {
            hint = string.Create(Invariant, $" Did you mean \"{suggestion}\"?");
        }
        else
        {
            hint = "";
        }

        return HclDiagnostic.Error(subject, "Unsupported argument",
            string.Create(Invariant, $"An argument named \"{name}\" is not expected here.{hint}"));
    }

    public static HclDiagnostic UnsupportedBlock(string type, HclRange subject, HclBodySchema schema)
    {
        string hint;
        if (schema.Attributes.Any(a => a.Name == type))
        {
            hint = string.Create(Invariant, $" Did you mean to define argument \"{type}\"? If so, use the equals sign to assign it a value.");
        }
        else if (Suggestions.Closest(type, schema.Blocks.Select(b => b.Type)) is { } suggestion)
        {
            hint = string.Create(Invariant, $" Did you mean \"{suggestion}\"?");
        }
        else
        {
            hint = "";
        }

        return HclDiagnostic.Error(subject, "Unsupported block type",
            string.Create(Invariant, $"Blocks of type \"{type}\" are not expected here.{hint}"));
    }

    /// <summary>Checks a block's label count against its schema; returns false (after reporting) when wrong.</summary>
    public static bool CheckLabels(HclBlock block, HclBlockSchema schema, HclDiagnostics diagnostics)
    {
        var expected = schema.LabelNames.Length;
        if (block.Labels.Count > expected)
        {
            var detail = expected == 0
                ? string.Create(Invariant, $"No labels are expected for {block.Type} blocks.")
                : string.Create(Invariant, $"Only {expected} labels ({string.Join(", ", schema.LabelNames)}) are expected for {block.Type} blocks.");
            diagnostics.AddError(block.LabelRanges[expected], string.Create(Invariant, $"Extraneous label for {block.Type}"), detail);
            return false;
        }

        if (block.Labels.Count < expected)
        {
            var missing = schema.LabelNames[block.Labels.Count];
            var subject = block.LabelRanges.Count > 0 ? block.LabelRanges[^1] : block.TypeRange;
            diagnostics.AddError(subject, string.Create(Invariant, $"Missing {missing} for {block.Type}"),
                string.Create(Invariant, $"All {block.Type} blocks must have {expected} labels ({string.Join(", ", schema.LabelNames)})."));
            return false;
        }

        return true;
    }
}
