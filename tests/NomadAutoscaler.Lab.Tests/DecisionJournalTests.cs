using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Simulator;
using ScalingPolicy = NomadAutoscaler.Core.Policy.ScalingPolicy;

namespace NomadAutoscaler.Lab.Tests;

/// <summary>A node pool's decisions kept in a Nomad variable under the lock path, against the simulator's variables
/// API, so a restarted agent (or a new leader) shows them.</summary>
public sealed class DecisionJournalTests : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private NomadClient _client = null!;

    public Task InitializeAsync()
    {
        _simulator.StartInMemory(new SimulatorOptions());
        _client = new NomadClient(new NomadClientOptions(), _simulator.CreateHttpHandler());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _simulator.DisposeAsync();
    }

    private static ScalingPolicy Pool(string id) => new()
    {
        Id = id,
        Name = "nom-pool",
        Source = "file",
        Type = PolicyTypes.Cluster,
        Target = new PolicyTarget("os-nova", new Dictionary<string, string> { ["node_class"] = "nom-pool" }),
    };

    [Fact]
    public async Task A_pool_s_decisions_written_by_one_journal_are_read_back_by_the_next_newest_first()
    {
        var at = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
        ScalingDecision[] decisions =
        [
            new(at.AddMinutes(5), 3, 2, "scaling down because metric is 2"),
            new(at, 2, 3, "scaling up because metric is 3"),
        ];
        var writer = new NomadDecisionJournal(_client, "nomad-autoscaler/lock", "default", TimeProvider.System);
        await writer.RecordAsync(Pool("a1b2"), decisions, CancellationToken.None);

        var restored = await new NomadDecisionJournal(_client, "nomad-autoscaler/lock", "default", TimeProvider.System).ReadAsync(Pool("a1b2"), CancellationToken.None);

        Assert.Equal(decisions.Select(d => d with { Restored = true }), restored);
        var variable = (await _client.GetVariableAsync("nomad-autoscaler/lock/decisions/a1b2")).Value;
        Assert.NotNull(variable);
        Assert.Contains("scaling up because metric is 3", variable.Items![NomadDecisionJournal.Item], StringComparison.Ordinal);
        // Another policy has its own variable, and none yet.
        Assert.Empty(await writer.ReadAsync(Pool("other"), CancellationToken.None));
    }

    [Fact]
    public void A_policy_id_outside_the_variable_path_alphabet_is_made_safe()
        => Assert.Equal("nomad-autoscaler/lock/decisions/file-pool-hcl-nom-pool",
            new NomadDecisionJournal(_client, "nomad-autoscaler/lock", "default", TimeProvider.System).PathFor("file:pool.hcl/nom pool"));

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""[{"time":"yesterday","to":3},{"to":2},{"time":"2026-12-05T09:00:00Z","from":"x","to":4,"reason":"kept"}]""")]
    public void A_damaged_record_loses_only_the_entries_that_cannot_be_read(string json)
    {
        var parsed = NomadDecisionJournal.Parse(json);

        Assert.All(parsed, d => Assert.Equal((null, 4L, "kept"), (d.From, d.To, d.Reason)));
        Assert.Equal(json.Contains("kept", StringComparison.Ordinal) ? 1 : 0, parsed.Count);
    }
}
