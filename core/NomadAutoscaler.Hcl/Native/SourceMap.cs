namespace NomadAutoscaler.Hcl.Native;

/// <summary>Maps byte offsets to line/column positions (columns count Unicode scalar values).</summary>
internal sealed class SourceMap
{
    private readonly byte[] _src;
    private readonly List<int> _lineStarts = [0];

    public SourceMap(string fileName, byte[] src)
    {
        _src = src;
        Source = new HclSource(fileName, src);
        for (var i = 0; i < src.Length; i++)
        {
            if (src[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public HclSource Source { get; }

    public string FileName => Source.FileName;

    public HclPosition Position(int offset)
    {
        offset = Math.Clamp(offset, 0, _src.Length);
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        var column = 1;
        for (var i = _lineStarts[line]; i < offset; i++)
        {
            if ((_src[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new HclPosition(line + 1, column, offset);
    }

    public HclRange Range(int start, int end) => new(FileName, Position(start), Position(Math.Max(start, end)), Source);
}
