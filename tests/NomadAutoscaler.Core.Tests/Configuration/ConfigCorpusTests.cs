using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Tests.Configuration;

/// <summary>Every broken agent config in Corpus/config is rejected with its expected message at its expected position.</summary>
public sealed class ConfigCorpusTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    public static IEnumerable<object[]> Files => CorpusCase.All("config");

    [Fact]
    public void Corpus_has_at_least_twenty_five_broken_configs() => Assert.True(Files.Count() >= 25);

    [Theory]
    [MemberData(nameof(Files))]
    public void Broken_config_is_reported_with_its_location_and_message(string name)
    {
        var corpus = CorpusCase.Load("config", name);
        var diagnostics = new HclDiagnostics();
        ConfigDecoder.DecodeFile(corpus.Path, diagnostics);

        var failure = Assert.Throws<ConfigException>(() => ConfigLoader.Load([corpus.Path], null, NoEnvironment, "/work"));

        corpus.AssertReported(diagnostics, failure.Problems);
        // A file's own errors are printed with its name, so the operator knows which of several -config paths to fix.
        if (diagnostics.HasErrors) Assert.Contains($"error parsing config file {corpus.Path}", failure.Message, StringComparison.Ordinal);
    }
}
