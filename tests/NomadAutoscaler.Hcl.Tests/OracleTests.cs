using System.Diagnostics;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Hcl.Tests;

/// <summary>
/// Runs Go's hashicorp/hcl v2 (tests/oracle/hcldump, built by tests/infra/hcl-oracle/build.sh) and this parser on every
/// corpus file and compares: accept/reject, values (numbers as exact text), and the line of the first error.
/// </summary>
public sealed class OracleTests
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "tests", "oracle", "corpus")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static IEnumerable<string> CorpusFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot, "tests", "oracle", "corpus")).Order(StringComparer.Ordinal);

    [Fact]
    public void Corpus_has_enough_files()
    {
        Assert.True(CorpusFiles().Count() >= 150, "the oracle corpus should hold at least 150 files");
    }

    [Fact]
    public void Every_corpus_file_matches_go_hcl()
    {
        var oracle = Path.Combine(RepoRoot, "artifacts", "oracle", "hcldump");
        if (!File.Exists(oracle))
        {
            Assert.False(Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1",
                $"HCL oracle missing at {oracle}; run tests/infra/hcl-oracle/build.sh");
            Console.WriteLine($"HCL oracle not built ({oracle}); run tests/infra/hcl-oracle/build.sh. Oracle comparison not run.");
            return;
        }

        var failures = new List<string>();
        foreach (var path in CorpusFiles())
        {
            var expected = RunOracle(oracle, path);
            JsonObject actual;
            try
            {
                actual = HclDump.Dump(path);
            }
            catch (Exception ex)
            {
                failures.Add($"{Path.GetFileName(path)}: C# parser threw {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            var problem = Compare(expected, actual);
            if (problem is not null)
            {
                failures.Add($"{Path.GetFileName(path)}: {problem}\n    go: {expected.ToJsonString()}\n    c#: {actual.ToJsonString()}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} corpus file(s) differ from Go hcl:\n" + string.Join("\n", failures));
    }

    internal static string? Compare(JsonObject expected, JsonObject actual)
    {
        var expectedValid = expected["valid"]!.GetValue<bool>();
        var actualValid = actual["valid"]!.GetValue<bool>();
        if (expectedValid != actualValid)
        {
            return expectedValid ? "Go accepts, C# rejects" : "Go rejects, C# accepts";
        }

        if (expectedValid)
        {
            return JsonNode.DeepEquals(expected["value"], actual["value"]) ? null : "values differ";
        }

        var expectedLine = expected["diags"]!.AsArray().FirstOrDefault()?["line"]?.GetValue<int>();
        var actualLine = actual["diags"]!.AsArray().FirstOrDefault()?["line"]?.GetValue<int>();
        return expectedLine == actualLine ? null : $"first error line differs (go {expectedLine}, c# {actualLine})";
    }

    private static JsonObject RunOracle(string oracle, string path)
    {
        var start = new ProcessStartInfo(oracle, [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"oracle failed on {path}: {error}");
        }

        return JsonNode.Parse(output, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 1000 })!.AsObject();
    }
}
