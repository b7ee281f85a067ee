namespace NomadAutoscaler.Hcl;

/// <summary>A position in a source file: 1-based line and column (in characters), 0-based byte offset (UTF-8).</summary>
public readonly record struct HclPosition(int Line, int Column, int Byte)
{
    /// <summary>The position of the first byte of a file.</summary>
    public static HclPosition Start { get; } = new(1, 1, 0);
}
