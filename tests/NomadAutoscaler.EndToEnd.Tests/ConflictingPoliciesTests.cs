using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>Three policies drive the same task group through the real agent: the job's own scaling block and two
/// policy files. One runs; the other two are refused, each naming itself and the one that runs.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ConflictingPoliciesTests : IAsyncLifetime
{
    private readonly NomadSimulator _simulator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-conflict-").FullName;
    private readonly HttpClient _client = new();
    private Uri _nomad = null!;

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions { Port = 0 };
        options.Jobs.Add(new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = "web", ["Name"] = "web", ["Namespace"] = "default", ["Type"] = "service", ["Datacenters"] = new JsonArray("dc1"),
                ["TaskGroups"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "app", ["Count"] = 1,
                    ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = "app", ["Driver"] = "exec", ["Resources"] = new JsonObject { ["CPU"] = 100, ["MemoryMB"] = 64 } }),
                    ["Scaling"] = new JsonObject
                    {
                        ["Min"] = 1, ["Max"] = 5, ["Enabled"] = true,
                        ["Policy"] = new JsonObject
                        {
                            ["evaluation_interval"] = "1h",
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
        }.ToJsonString());
        _nomad = await _simulator.StartAsync(options);
    }

    private static string FilePolicy(string name) => $$"""
        scaling "{{name}}" {
          enabled = true
          type    = "horizontal"
          min     = 1
          max     = 5
          policy {
            evaluation_interval = "1h"
            check "floor" {
              strategy "fixed-value" { value = 3 }
            }
            target "nomad-target" {
              Job   = "web"
              Group = "app"
            }
          }
        }
        """;

    [Fact]
    public async Task One_policy_runs_and_the_others_are_refused_naming_both_sources()
    {
        var policies = Directory.CreateDirectory(Path.Combine(_dir, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "web.hcl"), FilePolicy("web_file"));
        await File.WriteAllTextAsync(Path.Combine(policies, "web-copy.hcl"), FilePolicy("web_copy"));
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{_nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            policy { dir = "{{policies}}" }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config);
        JsonNode? state = null;
        await agent.WaitUntilAsync(async () =>
        {
            try
            {
                state = JsonNode.Parse(await _client.GetStringAsync(new Uri(agent.Http, "v1/policies")));
            }
            catch (HttpRequestException)
            {
                return false;
            }

            return state!["source_errors"]!.AsObject().Sum(e => e.Value!.AsArray().Count) == 2;
        }, "both sources to report their refusals", TimeSpan.FromSeconds(90));

        var running = Assert.Single(state!["policies"]!.AsArray())!;
        var errors = state["source_errors"]!.AsObject().SelectMany(e => e.Value!.AsArray().Select(v => (string)v!)).ToList();
        var winner = (string)running["source"]! == "nomad"
            ? "the scaling block of job \"web\" group \"app\" in namespace \"default\""
            : $"policy \"{(string)running["name"]!}\" in {(string)running["file"]!}";
        // web-copy.hcl sorts before web.hcl, so of the two files it is the one loaded first.
        var sources = new[]
        {
            "the scaling block of job \"web\" group \"app\" in namespace \"default\"",
            $"policy \"web_copy\" in {Path.Combine(policies, "web-copy.hcl")}",
            $"policy \"web_file\" in {Path.Combine(policies, "web.hcl")}",
        };
        Assert.Contains(winner, sources);
        Assert.NotEqual(sources[2], winner);
        foreach (var refused in sources.Where(s => s != winner))
        {
            var error = Assert.Single(errors, e => e.StartsWith(refused, StringComparison.Ordinal));
            Assert.Contains($"drives the same task group \"app\" of job \"web\" in namespace \"default\" as {winner}", error, StringComparison.Ordinal);
        }

        Assert.Equal(2, agent.Lines.Count(l => l.Contains("[ERROR] policy_manager: refusing policy that drives the same target as another", StringComparison.Ordinal)));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _simulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
