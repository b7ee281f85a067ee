using System.Text;

namespace NomadAutoscaler.Hcl;

/// <summary>The bytes of one parsed file, used to quote source lines in diagnostics.</summary>
internal sealed class HclSource
{
    public HclSource(string fileName, byte[] bytes)
    {
        FileName = fileName;
        Bytes = bytes;
    }

    public string FileName { get; }

    public byte[] Bytes { get; }

    /// <summary>The text of the line containing <paramref name="byteOffset"/>, without its line terminator.</summary>
    public string LineAt(int byteOffset)
    {
        var offset = Math.Clamp(byteOffset, 0, Bytes.Length);
        var start = offset;
        while (start > 0 && Bytes[start - 1] != (byte)'\n')
        {
            start--;
        }

        var end = offset;
        while (end < Bytes.Length && Bytes[end] != (byte)'\n')
        {
            end++;
        }

        if (end > start && Bytes[end - 1] == (byte)'\r')
        {
            end--;
        }

        return Encoding.UTF8.GetString(Bytes, start, end - start);
    }
}
