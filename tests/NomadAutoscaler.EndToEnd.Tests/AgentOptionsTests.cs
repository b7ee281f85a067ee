using System.Net;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>enable_debug and log_include_location through the real agent: the options reach the HTTP server and
/// the logger.</summary>
[Trait("Category", "EndToEnd")]
public sealed class AgentOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-options-").FullName;
    private readonly HttpClient _client = new();

    private string Config(string extra)
    {
        var path = Path.Combine(_dir, "agent.hcl");
        File.WriteAllText(path, $$"""
            nomad { address = "http://127.0.0.1:1" }
            plugin_dir = "{{Path.Combine(AgentProcess.AgentDirectory, "plugins")}}"
            policy {
              source "nomad" { enabled = false }
              source "file" { enabled = false }
            }
            {{extra}}
            """);
        return path;
    }

    private async Task<HttpStatusCode?> StatusAsync(AgentProcess agent, string path)
    {
        try
        {
            using var response = await _client.GetAsync(new Uri(agent.Http, path));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Enable_debug_serves_the_agents_own_runtime_state_and_location_names_the_source_line()
    {
        await using var agent = AgentProcess.Start("agent", "-config", Config("enable_debug = true\nlog_include_location = true"));
        await agent.WaitUntilAsync(async () => await StatusAsync(agent, "v1/health") == HttpStatusCode.OK, "health 200", TimeSpan.FromSeconds(90));

        var runtime = JsonNode.Parse(await _client.GetStringAsync(new Uri(agent.Http, "debug/runtime")))!;
        Assert.Equal(agent.Id, (int)runtime["process"]!["pid"]!);
        Assert.Contains(agent.Lines, l => l.Contains("[INFO]  NomadAutoscaler.Agent/AgentRunner.cs:", StringComparison.Ordinal)
            && l.Contains(": agent: starting Nomad Autoscaler agent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_options_debug_is_404_and_lines_carry_no_location()
    {
        await using var agent = AgentProcess.Start("agent", "-config", Config(""));
        await agent.WaitUntilAsync(async () => await StatusAsync(agent, "v1/health") == HttpStatusCode.OK, "health 200", TimeSpan.FromSeconds(90));

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(agent, "debug/runtime"));
        Assert.Contains(agent.Lines, l => l.Contains("[INFO]  agent: starting Nomad Autoscaler agent", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(".cs:", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
