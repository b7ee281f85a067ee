using System.Collections;

namespace NomadAutoscaler.Hcl;

/// <summary>An ordered, growable list of diagnostics. Parsing and decoding append to it instead of stopping at the first error.</summary>
public sealed class HclDiagnostics : IReadOnlyList<HclDiagnostic>
{
    private readonly List<HclDiagnostic> _items = [];

    public int Count => _items.Count;

    public HclDiagnostic this[int index] => _items[index];

    public bool HasErrors => _items.Exists(d => d.Severity == HclSeverity.Error);

    public void Add(HclDiagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<HclDiagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Adds an error diagnostic.</summary>
    public void AddError(HclRange? subject, string summary, string detail) =>
        _items.Add(HclDiagnostic.Error(subject, summary, detail));

    /// <summary>Throws <see cref="HclException"/> carrying every diagnostic when any is an error.</summary>
    public void ThrowIfErrors()
    {
        if (HasErrors)
        {
            throw new HclException(this);
        }
    }

    public IEnumerator<HclDiagnostic> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The one-line messages of all diagnostics, joined by newlines (hcl's Diagnostics.Error() joins with "; ").</summary>
    public override string ToString() => string.Join("\n", _items.Select(d => d.Message));
}
