using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Core.Agent;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The examples of docs/policies.md, read from the page itself: the schedule policy decodes to the windows
/// the page describes, and the namespace and unix socket agent configurations read the job policies the page says
/// from a simulated Nomad.</summary>
[Trait("Category", "EndToEnd")]
public sealed partial class DocumentedExamplesTests : IAsyncLifetime
{
    private static readonly string Page = File.ReadAllText(Path.Combine(AgentProcess.RepoRoot, "docs", "policies.md"));
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-docs-").FullName;
    private readonly NomadSimulator _simulator = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"<!-- example: (?<name>[a-z-]+) [^\n]*-->\n```hcl\n(?<body>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ExamplePattern();

    private static string Example(string name) =>
        ExamplePattern().Matches(Page).SingleOrDefault(m => m.Groups["name"].Value == name)?.Groups["body"].Value
        ?? throw new InvalidOperationException($"docs/policies.md has no example \"{name}\"");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void The_schedule_example_is_active_on_weekdays_from_7_to_19_and_its_check_from_9_to_10()
    {
        var file = FilePolicyDecoder.DecodeFile(Write("web.hcl", Example("schedule-policy")), FilePolicyDefaults.Upstream);
        Assert.True(file.Valid, string.Join("\n", file.AllDiagnostics));
        var policy = Assert.Single(file.Policies).Policy!;
        var window = policy.Schedule!;
        var rush = policy.Checks.Single(c => c.Name == "morning_rush").Schedule!;

        // 2026-12-02 is a Wednesday, 2026-12-05 a Saturday.
        Assert.Equal(DayOfWeek.Wednesday, Utc(2, 0).DayOfWeek);
        Assert.Equal(
            [false, true, true, false, false],
            new[] { Utc(2, 6, 59), Utc(2, 7), Utc(2, 18, 59), Utc(2, 19), Utc(5, 10) }.Select(window.IsActive));
        Assert.Equal(
            [false, true, true, false, false],
            new[] { Utc(2, 8, 59), Utc(2, 9), Utc(2, 9, 59), Utc(2, 10), Utc(5, 9, 30) }.Select(rush.IsActive));
        Assert.Null(policy.Checks.Single(c => c.Name == "cpu").Schedule);
    }

    private static string Job(string id, string ns) => new JsonObject
    {
        ["Job"] = new JsonObject
        {
            ["ID"] = id, ["Name"] = id, ["Namespace"] = ns, ["Type"] = "service", ["Datacenters"] = new JsonArray("dc1"),
            ["TaskGroups"] = new JsonArray(new JsonObject
            {
                ["Name"] = "app",
                ["Count"] = 1,
                ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "app", ["Driver"] = "exec", ["Resources"] = new JsonObject { ["CPU"] = 100, ["MemoryMB"] = 64 } }),
                ["Scaling"] = new JsonObject
                {
                    ["Min"] = 1, ["Max"] = 5, ["Enabled"] = true,
                    ["Policy"] = new JsonObject
                    {
                        ["check"] = new JsonArray(new JsonObject
                        {
                            ["fixed"] = new JsonArray(new JsonObject
                            {
                                ["strategy"] = new JsonArray(new JsonObject { ["fixed-value"] = new JsonArray(new JsonObject { ["value"] = 2 }) }),
                            }),
                        }),
                    },
                },
            }),
        },
    }.ToJsonString();

    private async Task<Uri> StartNomadAsync(string? socket = null)
    {
        var options = new SimulatorOptions { Port = 0, UnixSocketPath = socket };
        options.Jobs.Add(Job("web", "default"));
        options.Jobs.Add(Job("report", "batch"));
        options.Jobs.Add(Job("api", "other"));
        return await _simulator.StartAsync(options);
    }

    /// <summary>The job policies the agent's Nomad source reads with this configuration.</summary>
    private async Task<IReadOnlyList<string>> JobPoliciesAsync(string agentConfig)
    {
        var config = ConfigLoader.Load([Write("agent.hcl", agentConfig)], null, new Dictionary<string, string?>(), _dir);
        using var client = new NomadClient(AutoscalerAgent.ClientOptions(config.Nomad));
        var source = new NomadPolicySource(client, new PolicyDefaults(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), TimeProvider.System, NullLoggerFactory.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var snapshots = source.WatchAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await snapshots.MoveNextAsync());
        Assert.Empty(snapshots.Current.Errors);
        return [.. snapshots.Current.Policies
            .Select(p => $"{p.Target.Config["Namespace"]}/{p.Target.Config["Job"]}")
            .Order(StringComparer.Ordinal)];
    }

    private static string At(string example, Uri nomad) =>
        example.Replace("\"http://127.0.0.1:4646\"", $"\"{nomad.ToString().TrimEnd('/')}\"", StringComparison.Ordinal);

    [Fact]
    public async Task The_namespace_list_example_reads_the_jobs_of_default_and_batch()
    {
        var nomad = await StartNomadAsync();
        Assert.Equal(["batch/report", "default/web"], await JobPoliciesAsync(At(Example("namespace-list"), nomad)));
    }

    [Fact]
    public async Task The_star_example_reads_every_namespace_and_no_namespace_reads_default_only()
    {
        var nomad = await StartNomadAsync();
        Assert.Equal(["batch/report", "default/web", "other/api"], await JobPoliciesAsync(At(Example("namespace-all"), nomad)));
        Assert.Equal(["default/web"], await JobPoliciesAsync($"nomad {{\n  address = \"{nomad.ToString().TrimEnd('/')}\"\n}}\n"));
    }

    [Fact]
    public async Task The_unix_socket_example_reaches_nomad_through_the_socket()
    {
        var socket = Path.Combine(_dir, "api.sock");
        await StartNomadAsync(socket);
        var example = Example("unix-socket");
        Assert.Contains("unix:///var/run/nomad/api.sock", example, StringComparison.Ordinal);

        Assert.Equal(["default/web"], await JobPoliciesAsync(example.Replace("/var/run/nomad/api.sock", socket, StringComparison.Ordinal)));
    }
}
