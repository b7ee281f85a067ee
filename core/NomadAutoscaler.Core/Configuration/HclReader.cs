using System.Globalization;
using NomadAutoscaler.Hcl;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Configuration;

/// <summary>Reads typed attributes out of one HCL body against a schema, adding a diagnostic (file:line:col, the
/// key, what was expected) for each problem and carrying on, so every error in a file is reported at once.</summary>
internal sealed class HclReader
{
    private readonly HclBodyContent _content;
    private readonly HclDiagnostics _diagnostics;
    private readonly HclEvalContext _eval;
    private readonly string _path;

    private HclReader(HclBodyContent content, HclDiagnostics diagnostics, HclEvalContext eval, string path)
    {
        _content = content;
        _diagnostics = diagnostics;
        _eval = eval;
        _path = path;
    }

    /// <summary>Decodes <paramref name="body"/> against the named attributes and blocks; unknown keys are errors with a
    /// "did you mean" hint (produced by the HCL schema check).</summary>
    public static HclReader Open(HclBody body, HclDiagnostics diagnostics, HclEvalContext eval, string path,
        IEnumerable<string> attributes, IEnumerable<HclBlockSchema>? blocks = null, IEnumerable<string>? required = null)
    {
        var requiredSet = new HashSet<string>(required ?? [], StringComparer.Ordinal);
        var schema = new HclBodySchema(
            attributes.Select(a => new HclAttributeSchema(a, requiredSet.Contains(a))),
            blocks ?? []);
        return new HclReader(body.Content(schema, diagnostics), diagnostics, eval, path);
    }

    public HclBodyContent Content => _content;

    public HclDiagnostics Diagnostics => _diagnostics;

    public HclEvalContext Eval => _eval;

    public string Path => _path;

    public bool Has(string name) => _content.Attributes.ContainsKey(name);

    public HclRange? RangeOf(string name) => _content.GetAttribute(name)?.Range;

    public IReadOnlyList<HclBlock> Blocks(string type) => _content.BlocksOfType(type);

    public string? String(string name)
    {
        var (value, attribute) = Value(name);
        if (value is null || value.IsNull) return null;
        if (value.TryConvert(HclValueKind.String, out var converted)) return converted.AsString();
        Error(attribute!, $"Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": string required.");
        return null;
    }

    public bool? Bool(string name)
    {
        var (value, attribute) = Value(name);
        if (value is null || value.IsNull) return null;
        if (value.TryConvert(HclValueKind.Bool, out var converted)) return converted.AsBool();
        Error(attribute!, "Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": bool required.");
        return null;
    }

    public long? Int(string name)
    {
        var (value, attribute) = Value(name);
        if (value is null || value.IsNull) return null;
        if (value.TryConvert(HclValueKind.Number, out var converted) && converted.TryGetInt64(out var number)) return number;
        Error(attribute!, "Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": a whole number is required.");
        return null;
    }

    /// <summary>A Go-syntax duration string (<c>5m</c>, <c>1h30m</c>).</summary>
    public TimeSpan? Duration(string name)
    {
        var text = String(name);
        if (text is null) return null;
        if (GoDuration.TryParse(text, out var duration)) return duration;
        Error(_content.GetAttribute(name)!, "Invalid duration",
            $"\"{Qualified(name)}\" must be a duration such as \"30s\", \"5m\" or \"1h30m\"; got \"{text}\".");
        return null;
    }

    /// <summary>A list of strings; a single string is accepted as a one-element list, as upstream does.</summary>
    public IReadOnlyList<string>? StringList(string name)
    {
        var (value, attribute) = Value(name);
        if (value is null || value.IsNull) return null;
        if (value.Kind == HclValueKind.String) return [value.AsString()];
        if (value.Kind == HclValueKind.Tuple)
        {
            var items = new List<string>();
            foreach (var item in value.AsTuple())
            {
                if (item.TryConvert(HclValueKind.String, out var s)) items.Add(s.AsString());
                else
                {
                    Error(attribute!, "Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": list of string required.");
                    return null;
                }
            }

            return items;
        }

        Error(attribute!, "Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": list of string required.");
        return null;
    }

    /// <summary>A map whose values convert to strings (numbers and bools become their text; lists/maps are errors).</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string name)
    {
        var (value, attribute) = Value(name);
        if (value is null || value.IsNull) return null;
        if (value.Kind != HclValueKind.Object)
        {
            Error(attribute!, "Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": map of string required.");
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, item) in value.AsObject())
        {
            if (ScalarText(item) is { } text) map[key] = text;
            else Error(attribute!, "Incorrect attribute value type", $"Inappropriate value for attribute \"{Qualified(name)}\": element \"{key}\": string required.");
        }

        return map;
    }

    /// <summary>Every attribute of a free-form body (strategy and target blocks) as strings.</summary>
    public static IReadOnlyDictionary<string, string> FreeForm(HclBody body, HclDiagnostics diagnostics, HclEvalContext eval, string blockName)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, attribute) in body.JustAttributes(diagnostics))
        {
            var before = diagnostics.Count;
            var value = attribute.Evaluate(eval, diagnostics);
            if (diagnostics.Skip(before).Any(d => d.Severity == HclSeverity.Error)) continue;
            if (ScalarText(value) is { } text) map[name] = text;
            else if (value.IsNull)
                // Upstream decodes these blocks into a map of strings, which refuses null rather than dropping the key.
                diagnostics.AddError(attribute.Range, "Unsuitable value type",
                    $"Unsuitable value for attribute \"{name}\" in {blockName}: null is not allowed; remove the attribute to leave it unset.");
            else
                diagnostics.AddError(attribute.Range, "Incorrect attribute value type",
                    $"Inappropriate value for attribute \"{name}\" in {blockName}: string, number or bool required, got {value.TypeName}.");
        }

        return map;
    }

    /// <summary>The text a scalar becomes in a plugin's string map: numbers keep their exact decimal text (1000000
    /// stays "1000000", unlike upstream's "1e+06").</summary>
    public static string? ScalarText(HclValue value) => value.Kind switch
    {
        HclValueKind.String => value.AsString(),
        HclValueKind.Bool => value.AsBool() ? "true" : "false",
        HclValueKind.Number => value.AsNumberText(),
        _ => null,
    };

    public void Error(HclAttribute attribute, string summary, string detail) => _diagnostics.AddError(attribute.ValueRange, summary, detail);

    public void Error(HclRange? range, string summary, string detail) => _diagnostics.AddError(range, summary, detail);

    private (HclValue? Value, HclAttribute? Attribute) Value(string name)
    {
        var attribute = _content.GetAttribute(name);
        if (attribute is null) return (null, null);
        var before = _diagnostics.Count;
        var value = attribute.Evaluate(_eval, _diagnostics);
        return _diagnostics.Count > before && _diagnostics.Skip(before).Any(d => d.Severity == HclSeverity.Error) ? (null, attribute) : (value, attribute);
    }

    private string Qualified(string name) => _path.Length == 0 ? name : _path + "." + name;

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
