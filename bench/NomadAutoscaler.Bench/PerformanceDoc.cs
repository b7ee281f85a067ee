namespace NomadAutoscaler.Bench;

/// <summary>Puts the generated results into docs/performance.md, under "## Plugin RPC", between two markers, so the
/// hand-written analysis around them and other sections of the file survive a re-run.</summary>
internal static class PerformanceDoc
{
    public const string Heading = "## Plugin RPC";
    public const string Begin = "<!-- bench:plugin-rpc:begin (written by bench/NomadAutoscaler.Bench; edits inside are overwritten) -->";
    public const string End = "<!-- bench:plugin-rpc:end -->";

    public static string Update(string? existing, string generated)
    {
        var block = $"{Begin}\n{generated.TrimEnd()}\n{End}";
        var text = existing ?? "# Performance\n";
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin >= 0 && end > begin) return text[..begin] + block + text[(end + End.Length)..];

        var heading = FindHeading(text);
        if (heading < 0) return text.TrimEnd() + $"\n\n{Heading}\n\n{block}\n";

        var lineEnd = text.IndexOf('\n', heading);
        if (lineEnd < 0) return text + $"\n\n{block}\n";
        return text[..(lineEnd + 1)] + $"\n{block}\n" + text[(lineEnd + 1)..];
    }

    private static int FindHeading(string text)
    {
        for (var at = text.IndexOf(Heading, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Heading, at + 1, StringComparison.Ordinal))
        {
            var atLineStart = at == 0 || text[at - 1] == '\n';
            var restOfLine = at + Heading.Length;
            var headingEnds = restOfLine == text.Length || text[restOfLine] is '\n' or '\r' or ' ';
            if (atLineStart && headingEnds) return at;
        }

        return -1;
    }
}
