using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Core.Tests.Configuration;

namespace NomadAutoscaler.Core.Tests.Policy;

/// <summary>Every broken policy in Corpus/policy is rejected with its expected message at its expected position.</summary>
public sealed class PolicyCorpusTests
{
    public static IEnumerable<object[]> Files => CorpusCase.All("policy");

    [Fact]
    public void Corpus_has_at_least_twenty_five_broken_policies() => Assert.True(Files.Count() >= 25);

    [Theory]
    [MemberData(nameof(Files))]
    public void Broken_policy_is_reported_with_its_location_and_message(string name)
    {
        var corpus = CorpusCase.Load("policy", name);

        var file = FilePolicyDecoder.DecodeFile(corpus.Path, FilePolicyDefaults.Upstream);

        Assert.False(file.Valid);
        corpus.AssertReported(file.AllDiagnostics, []);
        // A policy with any error is never handed to the engine.
        Assert.DoesNotContain(file.Policies, p => p.Policy is not null && p.Diagnostics.Count > 0);
    }
}
