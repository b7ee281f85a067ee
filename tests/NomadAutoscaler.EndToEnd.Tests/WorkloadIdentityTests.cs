using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;
using Xunit.Abstractions;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>
/// The agent as a Nomad job with workload identity runs it: Nomad's API on the task's unix socket
/// (<c>${NOMAD_SECRETS_DIR}/api.sock</c>) and the identity's token in <c>NOMAD_TOKEN</c>, holding only the ACL policy of
/// deploy/nomad/nomad-autoscaler-acl.hcl. With it, the agent wins the HA lock and scales a job; without one of its
/// capabilities, the log says which call Nomad refused.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class WorkloadIdentityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "workload-identity-token";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-wi-").FullName;
    private AgentProcess? _agent;

    private string Socket => Path.Combine(_dir, "secrets", "api.sock");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "secrets"));
        return Task.CompletedTask;
    }

    private static string AclPolicy => File.ReadAllText(Path.Combine(AgentProcess.RepoRoot, "deploy", "nomad", "nomad-autoscaler-acl.hcl"));

    private async Task StartAsync(string policy)
    {
        var options = new SimulatorOptions
        {
            Port = 0,
            UnixSocketPath = Socket,
            ManagementToken = "management-token-the-agent-never-sees",
            AllocStartDelay = TimeSpan.FromMilliseconds(200),
        };
        options.AclTokens[Token] = policy;
        options.Nodes.Add(new SimulatorNodeSpec { Name = "web-1", NodeClass = "web", Cpu = 8000, MemoryMB = 16384 });
        options.Jobs.Add(Job().ToJsonString());
        await _simulator.StartAsync(options);

        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "unix://{{Socket}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            high_availability {
              enabled    = true
              lock_ttl   = "10s"
              lock_delay = "1s"
            }
            """);
        _agent = AgentProcess.StartWithEnvironment(new Dictionary<string, string> { ["NOMAD_TOKEN"] = Token, ["NOMAD_ADDR"] = "" }, "agent", "-config", config);
    }

    [Fact]
    public async Task The_deploy_acl_policy_over_the_api_socket_is_enough_to_lead_and_scale()
    {
        await StartAsync(AclPolicy);
        await _agent!.WaitForLogAsync(l => l.Contains("acquired lock, this agent is the leader", StringComparison.Ordinal), "the agent leads", Patience);
        await _agent.WaitUntilAsync(() => _simulator.GetDesiredCount("web", "web") == 3, "the job scaled to 3", Patience);

        var scale = Assert.Single(_simulator.ScaleRequestLog, r => r.StatusCode == 200);
        Assert.Equal(ScaleRequestRecord.Fingerprint(Token), scale.TokenFingerprint);
        // Every call went through the socket with the workload's token: nothing was refused.
        Assert.DoesNotContain(_agent.Lines, l => l.Contains("Permission denied", StringComparison.Ordinal));
        Assert.DoesNotContain(_agent.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"scale-job\", ", "PUT /v1/job/web/scale needs the ACL namespace capability \\\"scale-job\\\"")]
    [InlineData("\"list-scaling-policies\", ", "GET /v1/scaling/policies needs the ACL namespace capability \\\"list-scaling-policies\\\"")]
    public async Task A_missing_capability_is_named_in_the_log(string removed, string phrase)
    {
        var policy = AclPolicy.Replace(removed, "", StringComparison.Ordinal);
        Assert.NotEqual(AclPolicy, policy);
        await StartAsync(policy);

        await _agent!.WaitForLogAsync(
            l => l.Contains("403 (Permission denied): " + phrase, StringComparison.Ordinal), phrase, Patience);
        Assert.Equal(1, _simulator.GetDesiredCount("web", "web"));
    }

    private static JsonObject Job()
    {
        var policy = new JsonObject
        {
            ["cooldown"] = "1s",
            ["evaluation_interval"] = "1s",
            ["check"] = new JsonArray(new JsonObject
            {
                ["fixed"] = new JsonArray(new JsonObject
                {
                    ["strategy"] = new JsonArray(new JsonObject { ["fixed-value"] = new JsonArray(new JsonObject { ["value"] = 3 }) }),
                }),
            }),
        };
        var group = new JsonObject
        {
            ["Name"] = "web",
            ["Count"] = 1,
            ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "web", ["Driver"] = "exec", ["Resources"] = new JsonObject { ["CPU"] = 100, ["MemoryMB"] = 64 } }),
            ["Scaling"] = new JsonObject { ["Min"] = 1, ["Max"] = 5, ["Enabled"] = true, ["Policy"] = policy },
        };
        return new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = "web", ["Name"] = "web", ["Namespace"] = "default", ["Type"] = "service",
                ["Datacenters"] = new JsonArray("dc1"), ["TaskGroups"] = new JsonArray(group),
            },
        };
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            output.WriteLine(_agent.Log);
            await _agent.DisposeAsync();
        }

        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
