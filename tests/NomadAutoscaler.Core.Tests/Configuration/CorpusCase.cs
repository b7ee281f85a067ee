using System.Globalization;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Tests.Configuration;

/// <summary>
/// One broken file of the corpus and what must be reported for it. Expectations are comment lines
/// <c># expect: LINE,COL text</c> (or <c># expect: - text</c> for a problem without a location) at the end of an HCL
/// file, or in a <c>.expect</c> file beside a JSON file.
/// </summary>
internal sealed record CorpusCase(string Path, IReadOnlyList<CorpusExpectation> Expectations)
{
    public static IEnumerable<object[]> All(string kind) =>
        Directory.EnumerateFiles(RepoFiles.Corpus(kind))
            .Where(f => !f.EndsWith(".expect", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { System.IO.Path.GetFileName(f) });

    public static CorpusCase Load(string kind, string name)
    {
        var path = System.IO.Path.Combine(RepoFiles.Corpus(kind), name);
        var expectationFile = File.Exists(path + ".expect") ? path + ".expect" : path;
        var expectations = File.ReadAllLines(expectationFile)
            .Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal))
            .Select(l => CorpusExpectation.Parse(l["# expect: ".Length..]))
            .ToList();
        Assert.True(expectations.Count > 0, $"corpus file {name} states no expectation");
        return new CorpusCase(path, expectations);
    }

    /// <summary>Asserts every expectation is met by some error diagnostic at exactly that position.</summary>
    public void AssertReported(IEnumerable<HclDiagnostic> diagnostics, IEnumerable<string> unlocatedProblems)
    {
        var errors = diagnostics.Where(d => d.Severity == HclSeverity.Error).ToList();
        var problems = unlocatedProblems.ToList();
        foreach (var expectation in Expectations)
        {
            var found = expectation.Line is null
                ? problems.Any(p => p.Contains(expectation.Text, StringComparison.Ordinal))
                : errors.Any(d => d.Subject is { } s && s.Start.Line == expectation.Line && s.Start.Column == expectation.Column
                    && s.FileName == Path && d.Message.Contains(expectation.Text, StringComparison.Ordinal));
            Assert.True(found,
                $"{System.IO.Path.GetFileName(Path)}: expected at {expectation.Line?.ToString(CultureInfo.InvariantCulture) ?? "-"},{expectation.Column}: {expectation.Text}\n" +
                "got:\n" + string.Join("\n", errors.Select(d => d.Message).Concat(problems)));
        }
    }
}

internal sealed record CorpusExpectation(int? Line, int? Column, string Text)
{
    public static CorpusExpectation Parse(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var location = text[..space];
        var message = text[(space + 1)..];
        if (location == "-") return new CorpusExpectation(null, null, message);
        var parts = location.Split(',');
        return new CorpusExpectation(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), message);
    }
}
