using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Core.Tests.Evaluation;

/// <summary>Two policies driving one target: the first runs, the later is refused naming both, the rest run.</summary>
public sealed class PolicyConflictTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FakePlugins _plugins = new();
    private readonly AutoscalerMetrics _metrics = new();
    private readonly PolicyManager _manager;

    public PolicyConflictTests()
    {
        _plugins.Apms["apm"] = new FakeApm();
        _plugins.Strategies["s"] = new FakeStrategy();
        _plugins.Targets["os-nova"] = new FakeTarget { Count = 2 };
        _plugins.Targets["nomad-target"] = new FakeTarget { Count = 2 };
        _manager = new PolicyManager(_plugins, new Dictionary<string, int> { [PolicyTypes.Cluster] = 2, [PolicyTypes.Horizontal] = 2 }, _time, NullLoggerFactory.Instance, _metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        _metrics.Dispose();
    }

    private static ScalingPolicy FilePool(string id, string file, string nodeClass, string target = "os-nova", bool dryRun = false) => Policies.Cluster() with
    {
        Id = id,
        Name = id,
        FilePath = file,
        Target = new PolicyTarget(target, dryRun
            ? new Dictionary<string, string> { ["node_class"] = nodeClass, ["dry-run"] = "true" }
            : new Dictionary<string, string> { ["node_class"] = nodeClass }),
    };

    private static ScalingPolicy FileGroup(string id, string file, string job, string group, string? ns = null)
    {
        var config = new Dictionary<string, string> { ["Job"] = job, ["Group"] = group };
        if (ns is not null) config["Namespace"] = ns;
        return Policies.Cluster() with { Id = id, Name = id, FilePath = file, Type = PolicyTypes.Horizontal, Target = new PolicyTarget("nomad-target", config) };
    }

    private static ScalingPolicy JobBlock(string id, string job, string group, string ns = "default", string revision = "1") => Policies.Cluster() with
    {
        Id = id,
        Name = $"{job}/{group}",
        Source = "nomad",
        Type = PolicyTypes.Horizontal,
        Revision = revision,
        Target = new PolicyTarget("nomad-target", new Dictionary<string, string> { ["Namespace"] = ns, ["Job"] = job, ["Group"] = group }),
    };

    private IReadOnlyList<string> Running() => [.. _manager.Handlers.Select(h => h.Policy.Id).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Two_file_policies_for_one_pool_run_the_first_and_refuse_the_later_naming_both_files()
    {
        await _manager.ApplyAsync(new PolicySnapshot("file", [
            FilePool("a", "/p/a.hcl", "nom-pool"),
            FilePool("b", "/p/b.hcl", "nom-pool"),
            FilePool("c", "/p/c.hcl", "other-pool"),
        ], []));

        Assert.Equal(["a", "c"], Running());
        var error = Assert.Single(_manager.SourceErrors["file"]);
        Assert.Equal(
            "policy \"b\" in /p/b.hcl drives the same target \"os-nova\" pool (node_class=\"nom-pool\") as policy \"a\" in /p/a.hcl, " +
            "which was loaded first; it is refused: remove or disable one of them", error);
    }

    [Fact]
    public async Task A_file_policy_for_the_group_of_a_running_job_scaling_block_is_refused_naming_the_job()
    {
        await _manager.ApplyAsync(new PolicySnapshot("nomad", [JobBlock("nomad-id-1", "web", "app")], []));
        await _manager.ApplyAsync(new PolicySnapshot("file", [FileGroup("f", "/p/web.hcl", "web", "app"), FileGroup("g", "/p/api.hcl", "api", "app")], []));

        Assert.Equal(["g", "nomad-id-1"], Running());
        var error = Assert.Single(_manager.SourceErrors["file"]);
        Assert.Contains("policy \"f\" in /p/web.hcl", error, StringComparison.Ordinal);
        Assert.Contains("task group \"app\" of job \"web\" in namespace \"default\"", error, StringComparison.Ordinal);
        Assert.Contains("the scaling block of job \"web\" group \"app\" in namespace \"default\" (Nomad policy nomad-id-1)", error, StringComparison.Ordinal);
        Assert.Empty(_manager.SourceErrors["nomad"]);
    }

    [Fact]
    public async Task A_job_scaling_block_that_arrives_after_a_file_policy_for_its_group_is_the_one_refused()
    {
        await _manager.ApplyAsync(new PolicySnapshot("file", [FileGroup("f", "/p/web.hcl", "web", "app", ns: "default")], []));
        await _manager.ApplyAsync(new PolicySnapshot("nomad", [JobBlock("nomad-id-1", "web", "app"), JobBlock("nomad-id-2", "web", "app", ns: "prod")], []));

        Assert.Equal(["f", "nomad-id-2"], Running());
        Assert.StartsWith("the scaling block of job \"web\" group \"app\" in namespace \"default\" (Nomad policy nomad-id-1) drives the same",
            Assert.Single(_manager.SourceErrors["nomad"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_policy_starts_once_the_policy_it_conflicted_with_is_removed()
    {
        await _manager.ApplyAsync(new PolicySnapshot("nomad", [JobBlock("nomad-id-1", "web", "app")], []));
        await _manager.ApplyAsync(new PolicySnapshot("file", [FileGroup("f", "/p/web.hcl", "web", "app")], []));
        Assert.Equal(["nomad-id-1"], Running());

        // The job is stopped: its policy leaves the Nomad source; the file source has not changed.
        await _manager.ApplyAsync(new PolicySnapshot("nomad", [], []));

        Assert.Equal(["f"], Running());
        Assert.Empty(_manager.SourceErrors["file"]);
    }

    [Fact]
    public async Task On_reload_a_running_policy_keeps_its_target_against_a_new_file_that_sorts_first()
    {
        await _manager.ApplyAsync(new PolicySnapshot("file", [FilePool("m", "/p/m.hcl", "nom-pool")], []));
        await _manager.ApplyAsync(new PolicySnapshot("file", [FilePool("a", "/p/a.hcl", "nom-pool"), FilePool("m", "/p/m.hcl", "nom-pool")], []));

        Assert.Equal(["m"], Running());
        Assert.StartsWith("policy \"a\" in /p/a.hcl drives the same", Assert.Single(_manager.SourceErrors["file"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_that_moves_a_policy_onto_a_taken_pool_refuses_the_edited_policy()
    {
        await _manager.ApplyAsync(new PolicySnapshot("file", [FilePool("a", "/p/a.hcl", "pool-a"), FilePool("b", "/p/b.hcl", "pool-b")], []));
        await _manager.ApplyAsync(new PolicySnapshot("file", [FilePool("a", "/p/a.hcl", "pool-a"), FilePool("b", "/p/b.hcl", "pool-a")], []));

        Assert.Equal(["a"], Running());
        Assert.StartsWith("policy \"b\" in /p/b.hcl", Assert.Single(_manager.SourceErrors["file"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("os-nova", "other-class", false)] // another pool
    [InlineData("sim-cloud", "nom-pool", false)] // another target plugin
    [InlineData("os-nova", "nom-pool", true)] // a dry run drives nothing
    public void Policies_that_differ_in_pool_target_or_dry_run_do_not_conflict(string target, string nodeClass, bool dryRun)
    {
        Assert.Empty(PolicyConflicts.Find([FilePool("a", "/p/a.hcl", "nom-pool"), FilePool("b", "/p/b.hcl", nodeClass, target, dryRun)]));
    }

    [Fact]
    public void Every_node_selecting_key_and_the_pool_name_tell_pools_apart()
    {
        foreach (var key in new[] { "node_class", "datacenter", "node_pool", "pool_name" })
        {
            var a = Policies.Cluster() with { Id = "a", Target = new PolicyTarget("os-nova", new Dictionary<string, string> { [key] = "x" }) };
            var b = a with { Id = "b", Target = new PolicyTarget("os-nova", new Dictionary<string, string> { [key] = "y" }) };
            Assert.Empty(PolicyConflicts.Find([a, b]));
            Assert.Single(PolicyConflicts.Find([a, b with { Target = a.Target }]));
        }
    }

    [Fact]
    public void Disabled_policies_and_the_same_policy_twice_do_not_conflict()
    {
        var a = FilePool("a", "/p/a.hcl", "nom-pool");
        Assert.Empty(PolicyConflicts.Find([a, FilePool("b", "/p/b.hcl", "nom-pool") with { Enabled = false }]));
        Assert.Empty(PolicyConflicts.Find([a, a]));
    }

    [Fact]
    public void A_missing_namespace_is_the_default_namespace()
    {
        var conflict = Assert.Single(PolicyConflicts.Find([FileGroup("f", "/p/f.hcl", "web", "app"), JobBlock("n1", "web", "app", ns: "default")]));
        Assert.Equal("n1", conflict.Later.Id);
        Assert.Empty(PolicyConflicts.Find([FileGroup("f", "/p/f.hcl", "web", "app"), JobBlock("n1", "web", "app", ns: "prod")]));
    }
}
