using System.Text.RegularExpressions;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>A third party writing a target plugin with nothing but the packed packages: <c>dotnet new</c> from the
/// template package, publish to one file, run the conformance kit from the generated test project, drop the file into a
/// plugin dir and let the real agent scale with it against the Nomad simulator. Another test does the same with a
/// plugin created and built from the previous minor version of the template and SDK packages, and one builds the apm
/// and strategy templates and runs their generated conformance tests.</summary>
[Trait("Category", "EndToEnd")]
public sealed partial class ThirdPartyPluginTests(ThirdPartyWorkspace workspace) : IClassFixture<ThirdPartyWorkspace>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Target_from_the_template_passes_conformance_and_scales_under_the_agent()
    {
        var plugin = await CreateAndPublishAsync("acme-target", workspace.CurrentVersion);

        // The generated test project, pointed at the published file: the artifact an operator gets is what is checked.
        var project = Path.Combine(workspace.Root, "acme-target");
        var test = await workspace.RunDotnetAsync(project, BuildTimeout, new Dictionary<string, string> { ["PLUGIN_EXECUTABLE"] = plugin },
            "test", "acme-target.Tests", "-nodeReuse:false", "-warnaserror");
        Assert.Matches(PassedOne(), test);

        await AssertAgentScalesWithAsync("acme-target", plugin);
    }

    [Fact]
    public async Task Plugin_built_against_the_previous_minor_sdk_still_loads_and_scales()
    {
        var plugin = await CreateAndPublishAsync("legacy-target", workspace.PreviousVersion);
        await AssertAgentScalesWithAsync("legacy-target", plugin);
    }

    [Theory]
    [InlineData("apm")]
    [InlineData("strategy")]
    public async Task Apm_and_strategy_templates_build_warning_free_and_pass_their_conformance_test(string kind)
    {
        var hive = await workspace.InstallTemplatesAsync(workspace.CurrentVersion);
        var id = "acme-" + kind;
        var project = Path.Combine(workspace.Root, id);
        await workspace.RunDotnetAsync(workspace.Root, TimeSpan.FromMinutes(2), "new", "autoscaler-" + kind, "-n", id, "-o", project, "--debug:custom-hive", hive);

        var test = await workspace.RunDotnetAsync(project, BuildTimeout, "test", id + ".Tests", "-nodeReuse:false", "-warnaserror");
        Assert.Matches(PassedOne(), test);
    }

    /// <summary>dotnet new + dotnet publish with the template package of <paramref name="version"/>; returns the file.</summary>
    private async Task<string> CreateAndPublishAsync(string id, Version version)
    {
        var hive = await workspace.InstallTemplatesAsync(version);
        var project = Path.Combine(workspace.Root, id);
        await workspace.RunDotnetAsync(workspace.Root, TimeSpan.FromMinutes(2), "new", "autoscaler-target", "-n", id, "-o", project, "--debug:custom-hive", hive);

        var output = Path.Combine(project, "out");
        await workspace.RunDotnetAsync(project, BuildTimeout, "publish", id, "-c", "Release", "-o", output, "-nodeReuse:false", "-warnaserror");

        // Restored from the local feed at exactly that version, and published as one executable file.
        var assets = await File.ReadAllTextAsync(Path.Combine(project, id, "obj", "project.assets.json"));
        Assert.Contains($"\"NomadAutoscaler.Plugins.Sdk/{version}\"", assets, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(workspace.PackagesCache, "nomadautoscaler.plugins.sdk", version.ToString())), $"SDK {version} not restored into the private package cache");
        var plugin = Path.Combine(output, id);
        Assert.True(File.Exists(plugin), $"publish did not produce {plugin}");
        Assert.Equal([plugin], Directory.GetFiles(output));
        if (!OperatingSystem.IsWindows()) Assert.True(File.GetUnixFileMode(plugin).HasFlag(UnixFileMode.UserExecute), $"{plugin} is not executable");
        return plugin;
    }

    private async Task AssertAgentScalesWithAsync(string id, string pluginFile)
    {
        var pluginDir = workspace.CreatePluginDir("plugins-" + id, pluginFile);
        var policies = Directory.CreateDirectory(Path.Combine(workspace.Root, "policies-" + id)).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "web.hcl"), $$"""
            scaling "web" {
              enabled = true
              type    = "horizontal"
              min     = 1
              max     = 10
              policy {
                cooldown            = "1s"
                evaluation_interval = "1s"
                check "floor" {
                  strategy "fixed-value" { value = 3 }
                }
                target "{{id}}" {
                  resource = "web"
                }
              }
            }
            """);

        await using var simulator = new NomadSimulator();
        var nomad = await simulator.StartAsync(new SimulatorOptions { Port = 0 });
        var config = Path.Combine(workspace.Root, $"agent-{id}.hcl");
        await File.WriteAllTextAsync(config, $$"""
            nomad { address = "{{nomad.ToString().TrimEnd('/')}}" }
            plugin_dir = "{{pluginDir}}"
            policy {
              source "nomad" { enabled = false }
            }
            target "{{id}}" {
              driver = "{{id}}"
              config = {
                max_count = "20"
              }
            }
            """);

        await using var agent = AgentProcess.Start("agent", "-config", config, "-policy-dir", policies);
        // The plugin's own log line, re-logged by the agent: the scale reached the third-party code.
        // The agent sorts a plugin line's pairs by key and adds the plugin's timestamp last, as go-plugin hosts do.
        await agent.WaitForLogAsync(l => l.Contains($"[INFO]  external_plugin.{id}: scaled: @module={id} from=1 reason=\"scaling up because fixed value is 3\" resource=web to=3 timestamp=", StringComparison.Ordinal),
            $"{id} scaling web from 1 to 3", TimeSpan.FromSeconds(90));
        Assert.Contains(agent.Lines, l => l.Contains("scaling target", StringComparison.Ordinal) && l.Contains("to=3", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains("[ERROR]", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal));
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(10)));
    }

    [GeneratedRegex(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+1,")]
    private static partial Regex PassedOne();
}
