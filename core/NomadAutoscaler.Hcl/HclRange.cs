using System.Globalization;

namespace NomadAutoscaler.Hcl;

/// <summary>
/// A span of a source file. Renders like hcl's <c>file.hcl:3,7-9</c>. Equality ignores the source text reference.
/// </summary>
public readonly struct HclRange : IEquatable<HclRange>
{
    public HclRange(string fileName, HclPosition start, HclPosition end)
        : this(fileName, start, end, null)
    {
    }

    internal HclRange(string fileName, HclPosition start, HclPosition end, HclSource? source)
    {
        FileName = fileName;
        Start = start;
        End = end;
        Source = source;
    }

    public string FileName { get; }

    public HclPosition Start { get; }

    public HclPosition End { get; }

    /// <summary>The text of the file, kept so diagnostics can show the offending line.</summary>
    internal HclSource? Source { get; }

    /// <summary>A range covering both this and <paramref name="other"/> (same file assumed).</summary>
    public HclRange Through(HclRange other)
    {
        var start = other.Start.Byte < Start.Byte ? other.Start : Start;
        var end = other.End.Byte > End.Byte ? other.End : End;
        return new HclRange(FileName, start, end, Source ?? other.Source);
    }

    /// <summary>An empty range at the start of this one, for "missing item" diagnostics.</summary>
    public HclRange StartOnly() => new(FileName, Start, Start, Source);

    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        if (Start.Line == End.Line)
        {
            return string.Create(ci, $"{FileName}:{Start.Line},{Start.Column}-{End.Column}");
        }

        return string.Create(ci, $"{FileName}:{Start.Line},{Start.Column}-{End.Line},{End.Column}");
    }

    public bool Equals(HclRange other) =>
        string.Equals(FileName, other.FileName, StringComparison.Ordinal) && Start == other.Start && End == other.End;

    public override bool Equals(object? obj) => obj is HclRange other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(FileName, Start, End);

    public static bool operator ==(HclRange left, HclRange right) => left.Equals(right);

    public static bool operator !=(HclRange left, HclRange right) => !left.Equals(right);
}
