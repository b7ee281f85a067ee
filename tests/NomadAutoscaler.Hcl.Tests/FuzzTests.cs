using System.Text;

namespace NomadAutoscaler.Hcl.Tests;

/// <summary>
/// Mutates corpus files (byte flips, truncations, splices, token insertions) with a fixed seed and checks that parsing
/// and evaluation only ever produce diagnostics: no exception escapes. A hang shows up as a test timeout.
/// </summary>
public sealed class FuzzTests
{
    private const int Iterations = 2500;

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "(", ")", "\"", "${", "%{", "~}", "<<EOT\n", "<<-EOT\n", "EOT\n", "\n", "=", "==", "...", "=>",
        "for", "in", "if", "endif", "endfor", "else", "?", ":", ",", ".", "*", "[*]", "/*", "*/", "#", "\\", "\\u", "1e99999",
        "-", "!", "&&", "||", "\r\n", "\t", "\u00e9", "\xff", "null", "true", "jsonencode(", "var.", "0.1",
    ];

    [Fact]
    public void Mutated_corpus_never_throws()
    {
        var corpus = OracleTests.CorpusFiles().Select(File.ReadAllBytes).ToList();
        var random = new Random(20240607);
        for (var i = 0; i < Iterations; i++)
        {
            var input = Mutate(corpus, random);
            try
            {
                ParseEverything(input, i % 5 == 0);
            }
            catch (Exception ex)
            {
                // Keep the input so it can be added to Regressions/ and debugged.
                var kept = Path.Combine(Path.GetTempPath(), $"hcl-fuzz-crash-{i}.bin");
                File.WriteAllBytes(kept, input);
                Assert.Fail($"iteration {i}: {ex.GetType().Name}: {ex.Message} (input kept at {kept})\n{ex.StackTrace}");
            }
        }
    }

    [Fact]
    public void Regression_inputs_never_throw()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Regressions");
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
        foreach (var file in files)
        {
            ParseEverything(File.ReadAllBytes(file), file.EndsWith(".json", StringComparison.Ordinal));
        }

        Assert.True(files.Length > 0, "regression inputs should be copied next to the tests");
    }

    internal static void ParseEverything(byte[] input, bool json)
    {
        var file = json ? HclParser.ParseJson(input, "fuzz.json") : HclParser.Parse(input, "fuzz.hcl");
        var diagnostics = new HclDiagnostics();
        foreach (var attribute in file.Body.JustAttributes(diagnostics).Values)
        {
            attribute.Evaluate(HclDump.Context(), diagnostics);
        }

        foreach (var diagnostic in file.Diagnostics.Concat(diagnostics))
        {
            _ = diagnostic.ToString();
        }
    }

    private static byte[] Mutate(List<byte[]> corpus, Random random)
    {
        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        var mutations = 1 + random.Next(4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(5))
            {
                case 0 when data.Count > 0:
                    data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data.RemoveRange(random.Next(data.Count), data.Count - random.Next(data.Count) > 0 ? 1 : 0);
                    data = data.Take(random.Next(data.Count + 1)).ToList();
                    break;
                case 2:
                    var other = corpus[random.Next(corpus.Count)];
                    var start = random.Next(other.Length + 1);
                    var length = random.Next(other.Length - start + 1);
                    data.InsertRange(random.Next(data.Count + 1), other.Skip(start).Take(length));
                    break;
                case 3:
                    var token = Tokens[random.Next(Tokens.Length)];
                    var bytes = token == "\xff" ? [0xff] : Encoding.UTF8.GetBytes(token);
                    data.InsertRange(random.Next(data.Count + 1), bytes);
                    break;
                default:
                    var nest = random.Next(2, 400);
                    var opener = "([{"[random.Next(3)];
                    data.InsertRange(random.Next(data.Count + 1), Enumerable.Repeat((byte)opener, nest));
                    break;
            }
        }

        return data.ToArray();
    }
}
